/** Hub search results as the Gallery shows them. */
export const GALLERY_SORTS = ['trending', 'downloads', 'likes', 'updated'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];

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
