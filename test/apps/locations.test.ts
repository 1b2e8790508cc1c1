import { describe, expect, it } from 'vitest';
import { appLocations, lmStudioFolderFromSettings } from '../../src-main/apps/locations';

const roots = (platform: NodeJS.Platform, home: string, env: Record<string, string> = {}, lmStudioSettings: string | null = null) =>
  Object.fromEntries(
    appLocations({ platform, home, env, lmStudioSettings })
      .reverse()
      .map((l) => [l.app, l.root]),
  );
const all = (platform: NodeJS.Platform, home: string, env: Record<string, string> = {}, lmStudioSettings: string | null = null) =>
  appLocations({ platform, home, env, lmStudioSettings }).map((l) => `${l.app} ${l.root} ${l.layout}`);

describe('where other apps keep their models', () => {
  it('knows the Linux folders, and the system Ollama service', () => {
    expect(all('linux', '/home/u')).toEqual([
      'lm-studio /home/u/.lmstudio/models publisher-repo',
      'lm-studio /home/u/.cache/lm-studio/models publisher-repo',
      'ollama /home/u/.ollama/models ollama',
      'ollama /usr/share/ollama/.ollama/models ollama',
      'llama.cpp /home/u/.cache/llama.cpp hf-cache',
      'jan /home/u/.local/share/Jan/data files',
      'gpt4all /home/u/.local/share/nomic.ai/GPT4All files',
      'text-generation-webui /home/u/text-generation-webui/models user_repo',
      'comfyui /home/u/Documents/ComfyUI/models comfyui',
      'comfyui /home/u/ComfyUI/models comfyui',
    ]);
  });

  it('knows the macOS folders', () => {
    const r = roots('darwin', '/Users/u');
    expect(r['llama.cpp']).toBe('/Users/u/Library/Caches/llama.cpp');
    expect(r.jan).toBe('/Users/u/Library/Application Support/Jan/data');
    expect(r.gpt4all).toBe('/Users/u/Library/Application Support/nomic.ai/GPT4All');
    expect(all('darwin', '/Users/u').some((l) => l.includes('/usr/share/ollama'))).toBe(false);
  });

  it('knows the Windows folders, from APPDATA and LOCALAPPDATA when set', () => {
    const env = { APPDATA: 'D:\\Roam', LOCALAPPDATA: 'D:\\Local' };
    const r = roots('win32', 'C:\\Users\\u', env);
    expect(r['lm-studio']).toBe('C:\\Users\\u\\.lmstudio\\models');
    expect(r.ollama).toBe('C:\\Users\\u\\.ollama\\models');
    expect(r['llama.cpp']).toBe('D:\\Local\\llama.cpp');
    expect(r.jan).toBe('D:\\Roam\\Jan\\data');
    expect(r.gpt4all).toBe('D:\\Local\\nomic.ai\\GPT4All');
    expect(roots('win32', 'C:\\Users\\u')['llama.cpp']).toBe('C:\\Users\\u\\AppData\\Local\\llama.cpp');
  });

  it('follows the variables and settings that move them: OLLAMA_MODELS, LLAMA_CACHE, XDG, LM Studio’s downloadsFolder', () => {
    const list = appLocations({
      platform: 'linux',
      home: '/home/u',
      env: { OLLAMA_MODELS: '/data/ollama', LLAMA_CACHE: '/data/llama', XDG_DATA_HOME: '/xdg/data' },
      lmStudioSettings: JSON.stringify({ downloadsFolder: '/data/lmstudio' }),
    });
    expect(list.find((l) => l.app === 'ollama')).toMatchObject({ root: '/data/ollama', because: 'OLLAMA_MODELS' });
    expect(list.find((l) => l.app === 'llama.cpp')).toMatchObject({ root: '/data/llama', because: 'LLAMA_CACHE' });
    expect(list.find((l) => l.app === 'lm-studio')).toMatchObject({ root: '/data/lmstudio', because: 'the models folder set in LM Studio' });
    expect(list.find((l) => l.app === 'jan')?.root).toBe('/xdg/data/Jan/data');
  });

  it('ignores an LM Studio settings file that does not name a folder', () => {
    for (const text of [null, '', '{', '[]', '{"downloadsFolder": 3}', '{"downloadsFolder": "  "}', 'x'.repeat(2 << 20)])
      expect(lmStudioFolderFromSettings(text)).toBeNull();
  });
});
