/** The Gallery: Hub search results and a model's page, and their requests. */
import { z } from 'zod';
import type { ModelDetails } from './model';
import { request } from './request';

import { GALLERY_SORTS } from './present/gallery';

export { GALLERY_SORTS, type GallerySort } from './present/gallery';

export interface ModelCardView {
  id: string;
  author: string | null;
  downloads: number;
  likes: number;
  lastModified: string | null;
  gated: boolean;
  private: boolean;
  pipelineTag: string | null;
  tags: string[];
  /** Parameter count when the Hub knows it (GGUF metadata). */
  parameters: number | null;
  url: string;
}

export interface SearchPage {
  models: ModelCardView[];
  /** Opaque: hand it back for the next page; null at the end. */
  cursor: string | null;
}

export const galleryRequests = {
  'gallery.search': request<SearchPage>()(
    z
      .object({
        search: z.string().max(200).optional(),
        author: z.string().max(100).optional(),
        library: z.enum(['gguf', 'safetensors']).optional(),
        task: z
          .string()
          .max(64)
          .regex(/^[a-z0-9-]*$/)
          .optional(),
        sort: z.enum(GALLERY_SORTS).default('trending'),
        cursor: z.string().max(2048).optional(),
      })
      .strict(),
  ),
  'gallery.model': request<ModelDetails>()(z.object({ repo: z.string().min(1).max(200), revision: z.string().min(1).max(255).default('main') }).strict()),
} as const;
