/**
 * The one door for files someone else controls: every shape a hostile or unlucky folder can hold
 * (FIFOs, sockets, devices, links out, links in, folders, big files) is answered at once with a
 * reason, and only a regular file, the very one examined, is opened.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  openUntrusted,
  readUntrusted,
  readUntrustedSync,
  replaceFile,
  replaceFileSync,
  untrustedReadStream,
  withDeadline,
} from '../../src-main/base/untrusted-file';
import { tmpfs } from '../helpers/mounts';
import { tmpDir } from '../helpers/tmp';
import { quickly } from '../helpers/deadline';

function fifo(p: string): string {
  execFileSync('mkfifo', [p]);
  return p;
}

describe('opening a file someone else controls', () => {
  it('opens a regular file and says what it opened', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'model.gguf');
    fs.writeFileSync(file, 'GGUF....');
    const { fh, stat, realPath } = await openUntrusted(file, { root: dir });
    await fh.close();
    expect(stat.size).toBe(8);
    expect(realPath).toBe(file);
    expect((await readUntrusted(file, 100)).toString()).toBe('GGUF....');
    expect(readUntrustedSync(file, 100).toString()).toBe('GGUF....');
  });

  it('refuses a FIFO at once, without waiting for a writer (async, sync, and as a link target)', async () => {
    const dir = tmpDir();
    const pipe = fifo(path.join(dir, 'blob'));
    await expect(quickly(openUntrusted(pipe), 3000)).rejects.toMatchObject({ code: 'INVALID_PATH', message: expect.stringMatching(/named pipe/) });
    expect(() => readUntrustedSync(pipe, 100)).toThrow(/named pipe/);
    fs.symlinkSync('blob', path.join(dir, 'link'));
    await expect(quickly(openUntrusted(path.join(dir, 'link'), { root: dir, followLinks: true }), 3000)).rejects.toThrow(/link to a named pipe/);
  });

  it('refuses sockets, devices and folders with the reason', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 'sock');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      await expect(quickly(openUntrusted(sock), 3000)).rejects.toThrow(/socket/);
    } finally {
      server.close();
    }
    await expect(quickly(openUntrusted('/dev/zero'), 3000)).rejects.toThrow(/device/);
    await expect(quickly(openUntrusted(dir), 3000)).rejects.toThrow(/folder/);
    // /dev/zero would be endless: the size cap would never be reached, so the kind check is what saves us.
    await expect(quickly(readUntrusted('/dev/zero', 10), 3000)).rejects.toThrow(/device/);
  });

  it('follows a link only where allowed and only inside the root; a link out (or a folder link out) is refused', async () => {
    const root = tmpDir();
    const outside = tmpDir();
    fs.writeFileSync(path.join(root, 'real.gguf'), 'inside');
    fs.writeFileSync(path.join(outside, 'secret'), 'outside');
    fs.symlinkSync('real.gguf', path.join(root, 'rel'));
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'abs'));
    fs.symlinkSync('rel', path.join(root, 'chain'));
    fs.symlinkSync(outside, path.join(root, 'dir'));
    // Without a root, or without followLinks, no link is followed.
    await expect(openUntrusted(path.join(root, 'rel'))).rejects.toThrow(/a link/);
    await expect(openUntrusted(path.join(root, 'rel'), { root })).rejects.toThrow(/a link/);
    const opened = await openUntrusted(path.join(root, 'chain'), { root, followLinks: true });
    await opened.fh.close();
    expect(opened.realPath).toBe(fs.realpathSync(path.join(root, 'real.gguf')));
    await expect(openUntrusted(path.join(root, 'abs'), { root, followLinks: true })).rejects.toThrow(/link out of/);
    // A regular file reached through a folder link that leaves the root.
    await expect(openUntrusted(path.join(root, 'dir', 'secret'), { root, followLinks: true })).rejects.toThrow(/outside/);
    expect(() => readUntrustedSync(path.join(root, 'abs'), 100, { root, followLinks: true })).toThrow(/outside/);
    expect(readUntrustedSync(path.join(root, 'chain'), 100, { root, followLinks: true }).toString()).toBe('inside');
  });

  it('bounds what it reads, and streams only the file it checked', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, Buffer.alloc(5000, 1));
    await expect(readUntrusted(file, 4999)).rejects.toThrow(/larger than 4999 bytes/);
    expect(() => readUntrustedSync(file, 4999)).toThrow(/larger than/);
    const { stream, stat } = await untrustedReadStream(file, { start: 10, end: 19 });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(stat.size).toBe(5000);
    expect(Buffer.concat(chunks).length).toBe(10);
  });

  it('gives up on a step that never answers, with a clear error, and disposes of a late answer', async () => {
    let disposed = false;
    let release: (v: string) => void = () => undefined;
    const stuck = new Promise<string>((r) => (release = r));
    await expect(withDeadline(stuck, 50, 'Reading /mnt/nfs/x', () => (disposed = true))).rejects.toMatchObject({
      code: 'DISK_ERROR',
      message: expect.stringMatching(/did not answer/),
    });
    release('fd');
    await new Promise((r) => setTimeout(r, 10));
    expect(disposed).toBe(true);
  });
});

describe('replacing a file in a place others write', () => {
  it.each([
    ['async', (file: string, data: string, tmp: string) => replaceFile(file, data, tmp)],
    ['sync', async (file: string, data: string, tmp: string) => replaceFileSync(file, data, tmp)],
  ])('%s: never opens what is at the temp name (a link, a FIFO, a leftover), and replaces the file', async (_, replace) => {
    const dir = tmpDir();
    const file = path.join(dir, 'record.json');
    const tmp = `${file}.tmp`;
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep');
    fs.writeFileSync(file, 'old');
    // A link to another file: removed, not followed.
    fs.symlinkSync(victim, tmp);
    await quickly(replace(file, 'one', tmp), 3000);
    expect(fs.readFileSync(file, 'utf8')).toBe('one');
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
    // A FIFO: removed, never waited on.
    fifo(tmp);
    await quickly(replace(file, 'two', tmp), 3000);
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    // A leftover of an earlier save, then a free name.
    fs.writeFileSync(tmp, 'leftover, longer than the data');
    await quickly(replace(file, 'three', tmp), 3000);
    await quickly(replace(file, 'four', tmp), 3000);
    expect(fs.readFileSync(file, 'utf8')).toBe('four');
    expect(fs.existsSync(tmp)).toBe(false);
    // A folder there is an error, and the file is left as it was.
    fs.mkdirSync(tmp);
    await expect(replace(file, 'five', tmp)).rejects.toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('four');
  });
});

describe('replacing a file on a full disk', () => {
  it('fails with ENOSPC, leaves the file as it was, and leaves no temp file behind', async (ctx) => {
    const mount = tmpfs(ctx, 1, 'the full-disk replace test');
    const file = path.join(mount, 'record.json');
    fs.writeFileSync(file, 'old');
    const tmp = `${file}.tmp`;
    await expect(replaceFile(file, Buffer.alloc(2 << 20, 1), tmp)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.existsSync(tmp)).toBe(false);
  });
});
