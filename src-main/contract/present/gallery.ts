/**
 * The Gallery's sort orders, apart from the schemas in ../gallery.ts so the Gallery page can offer
 * them without loading zod before its first paint.
 */
export const GALLERY_SORTS = ['trending', 'downloads', 'likes', 'updated'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];
