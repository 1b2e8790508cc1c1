/**
 * Ready-to-paste client setups for the local API: curl, the openai SDKs (Python, JavaScript),
 * Continue and Open WebUI. The key is never written into a snippet: each reads it from
 * HUBCAP_API_KEY (or says where to paste it), so a copied snippet can be shared safely.
 */

export interface Snippet {
  id: 'curl' | 'python' | 'javascript' | 'continue' | 'open-webui';
  label: string;
  /** What the user does with it, in one sentence. */
  where: string;
  text: string;
}

export function snippets(baseUrl: string, model: string): Snippet[] {
  const m = JSON.stringify(model);
  return [
    {
      id: 'curl',
      label: 'curl',
      where: 'In a terminal, with the key in HUBCAP_API_KEY.',
      text: [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer $HUBCAP_API_KEY" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model": ${m}, "messages": [{"role": "user", "content": "Hello"}]}'`,
      ].join('\n'),
    },
    {
      id: 'python',
      label: 'Python (openai)',
      where: 'pip install openai; the key in HUBCAP_API_KEY.',
      text: [
        'import os',
        'from openai import OpenAI',
        '',
        `client = OpenAI(base_url=${JSON.stringify(baseUrl)}, api_key=os.environ["HUBCAP_API_KEY"])`,
        `reply = client.chat.completions.create(model=${m}, messages=[{"role": "user", "content": "Hello"}])`,
        'print(reply.choices[0].message.content)',
      ].join('\n'),
    },
    {
      id: 'javascript',
      label: 'JavaScript (openai)',
      where: 'npm install openai; the key in HUBCAP_API_KEY.',
      text: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: ${JSON.stringify(baseUrl)}, apiKey: process.env.HUBCAP_API_KEY });`,
        `const reply = await client.chat.completions.create({ model: ${m}, messages: [{ role: 'user', content: 'Hello' }] });`,
        'console.log(reply.choices[0].message.content);',
      ].join('\n'),
    },
    {
      id: 'continue',
      label: 'Continue',
      where: "Continue's config.yaml (in ~/.continue/), under models; paste the key for apiKey.",
      text: ['models:', '  - name: Hubcap', '    provider: openai', `    model: ${m}`, `    apiBase: ${baseUrl}`, '    apiKey: <the key above>'].join('\n'),
    },
    {
      id: 'open-webui',
      label: 'Open WebUI',
      where: 'Admin Settings › Connections › OpenAI API: add a connection with these two values.',
      text: [`URL: ${baseUrl}`, 'Key: <the key above>'].join('\n'),
    },
  ];
}
