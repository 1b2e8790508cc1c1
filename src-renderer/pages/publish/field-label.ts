/** The look of a labelled field on the Publish page (the label above its input), one home for its classes. */
export const fieldLabel = 'block space-y-1 text-sm font-medium';
