/** The Hub's own image hosts: the only remote images the UI loads (CSP img-src and the model card agree). */
export const HUB_IMAGE_HOSTS = ['https://huggingface.co', 'https://cdn-avatars.huggingface.co', 'https://cdn-uploads.huggingface.co'];
