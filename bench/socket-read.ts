/**
 * What reading xorb bodies costs the download's thread, by how the bytes arrive (docs/performance.md,
 * "The workers decode in the arena"): 64 answers of 16 MiB over 4 kept-alive loopback connections,
 * each byte copied into a shared arena at 8-byte-aligned offsets as the decode pool does. `http`:
 * node:http, every socket read a fresh 64 KiB ArrayBuffer. `onread`: net.connect's `onread` into one
 * reused buffer per connection, the status line and headers read by hand (Content-Length only).
 * The second is the lead for 1 GiB on loopback; this measures the ceiling of what it can save.
 *
 *   npx tsx bench/socket-read.ts [--rounds 3]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, serve: { type: 'boolean', default: false } } });
const ANSWER = 16 << 20;
const ANSWERS = 64;
const CONNS = 4;

if (values.serve) {
  // In a process of its own, so the client's CPU is the client's alone.
  const body = Buffer.alloc(ANSWER, 7);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as net.AddressInfo).port}`));
} else {
  const server = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => server.stdout.on('data', (d: Buffer) => resolve(Number(/PORT (\d+)/.exec(d.toString())?.[1]))));
  const arena = Buffer.from(new SharedArrayBuffer(64 << 20));
  let at = 0;
  const sink = (b: Buffer) => {
    if (at + b.length > arena.length) at = 0;
    arena.set(b, at);
    at += (b.length + 7) & ~7;
  };

  const viaHttp = () =>
    new Promise<void>((resolve) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
      let left = ANSWERS;
      let running = 0;
      const next = () => {
        if (left === 0) {
          if (running === 0) {
            agent.destroy();
            resolve();
          }
          return;
        }
        left--;
        running++;
        http.get({ host: '127.0.0.1', port, path: `/${left}`, agent }, (res) => {
          res.on('data', sink);
          res.on('end', () => {
            running--;
            next();
          });
        });
      };
      for (let i = 0; i < CONNS; i++) next();
    });

  const viaOnread = () =>
    new Promise<void>((resolve) => {
      let left = ANSWERS;
      let running = 0;
      const sockets: net.Socket[] = [];
      for (let i = 0; i < CONNS; i++) {
        let head = '';
        let bodyLeft = -1;
        const go = () => {
          if (left === 0) {
            if (running === 0) {
              for (const s of sockets) s.destroy();
              resolve();
            }
            return;
          }
          left--;
          running++;
          bodyLeft = -1;
          socket.write(`GET /${left} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
        };
        const read = (n: number, buf: Buffer): boolean => {
          let v = buf.subarray(0, n);
          while (v.length) {
            if (bodyLeft < 0) {
              const text = head + v.toString('latin1');
              const end = text.indexOf('\r\n\r\n');
              if (end < 0) {
                head = text;
                return true;
              }
              bodyLeft = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
              v = v.subarray(end + 4 - head.length);
              head = '';
            }
            const k = Math.min(bodyLeft, v.length);
            sink(v.subarray(0, k));
            bodyLeft -= k;
            v = v.subarray(k);
            if (bodyLeft === 0) {
              running--;
              go();
            }
          }
          return true;
        };
        const socket = net.connect({ host: '127.0.0.1', port, onread: { buffer: Buffer.allocUnsafe(64 << 10), callback: read } });
        socket.on('connect', go);
        sockets.push(socket);
      }
    });

  const results: Record<string, { cpu: number[]; wall: number[] }> = { http: { cpu: [], wall: [] }, onread: { cpu: [], wall: [] } };
  for (let r = 0; r < Number(values.rounds); r++)
    for (const [name, run] of r % 2
      ? ([
          ['onread', viaOnread],
          ['http', viaHttp],
        ] as const)
      : ([
          ['http', viaHttp],
          ['onread', viaOnread],
        ] as const)) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await run();
      const c = process.cpuUsage(c0);
      results[name]?.cpu.push((c.user + c.system) / 1e6);
      results[name]?.wall.push((performance.now() - t0) / 1000);
    }
  server.kill();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  console.log(`${(ANSWERS * ANSWER) >> 20} MiB over ${CONNS} loopback connections, median of ${values.rounds} (the client's CPU):`);
  for (const [name, r] of Object.entries(results)) console.log(`  ${name.padEnd(8)} wall ${median(r.wall).toFixed(2)} s  CPU ${median(r.cpu).toFixed(2)} s`);
}
