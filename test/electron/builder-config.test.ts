import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const config = parse(fs.readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('electron-builder packaging', () => {
  it('flips the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('declares the .gguf file association', () => {
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'gguf', role: 'Viewer' })]);
  });

  it('packs the app into an asar from the built output', () => {
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**');
  });
});
