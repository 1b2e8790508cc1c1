/** A model card (README.md) as shown: its YAML front matter is metadata, not text for people. */
export function cardBody(readme: string): string {
  return readme.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
}
