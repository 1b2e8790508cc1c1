/**
 * WHATWG `Headers` and `Response` for the answers Hubcap reads itself, without undici. In Node the
 * first touch of any fetch global (`Headers`, `Response`, `fetch`) loads undici's whole bundle:
 * 38 ms of a 0.55 s `hubcap download` measured here (#25), before its first request could go out.
 * These follow the standard where callers (and @huggingface/hub, through `libraryFetch`) can see
 * it: names lower-cased, a name's values joined with ", " except `set-cookie`, iteration sorted by
 * name, values checked as fetch checks them, a body read once. `formData()`, which nothing here
 * reads, goes through a real Response.
 */

type HeaderPairs = Iterable<readonly [string, string]> | Iterable<readonly string[]>;
/** What `new Headers(init)` takes: another Headers, pairs, or a record. */
export type HeadersLike = HeaderPairs | Record<string, string | readonly string[]> | Headers | undefined;

/** RFC 9110 token: the characters a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Leading and trailing HTTP whitespace, which fetch strips from values. */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function checkedName(name: string): string {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`invalid header name: ${JSON.stringify(n)}`);
  return n.toLowerCase();
}

function checkedValue(value: string): string {
  const v = String(value).replace(EDGE_WHITESPACE, '');
  // A ByteString with no NUL, CR or LF, as fetch's Headers requires.
  if (/[\0\r\n]|[^\0-\xff]/.test(v)) throw new TypeError('invalid header value');
  return v;
}

function pairsOf(init: HeadersLike): Iterable<readonly string[]> {
  if (init === undefined) return [];
  if (Symbol.iterator in init) return init as Iterable<readonly string[]>;
  // A record's value is converted to a string as WebIDL does (an array joins with ",").
  return Object.entries(init as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

/**
 * Headers from an answer's name/value pairs, as read off the wire: a pair fetch's Headers refuses
 * (a name that is not a token, a control character in a value) is dropped, not fatal, as fetch
 * would fail on the whole answer for it.
 */
export function wireHeaders(pairs: Iterable<readonly [string, string]>): HubHeaders {
  const h = new HubHeaders();
  for (const [name, value] of pairs) {
    try {
      h.append(name, value);
    } catch {
      // dropped, as above
    }
  }
  return h;
}

/** Headers from node:http's parsed ones (a repeated header is an array there), as wireHeaders takes them. */
export function incomingHeaders(raw: Record<string, string | string[] | undefined>): HubHeaders {
  return wireHeaders(Object.entries(raw).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const])));
}

export class HubHeaders implements Headers {
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersLike) {
    for (const pair of pairsOf(init)) {
      if (pair.length !== 2) throw new TypeError('a header pair must hold a name and a value');
      this.append(pair[0] as string, pair[1] as string);
    }
  }

  append(name: string, value: string): void {
    const n = checkedName(name);
    const v = checkedValue(value);
    const list = this.#values.get(n);
    if (list) list.push(v);
    else this.#values.set(n, [v]);
  }

  set(name: string, value: string): void {
    this.#values.set(checkedName(name), [checkedValue(value)]);
  }

  delete(name: string): void {
    this.#values.delete(checkedName(name));
  }

  get(name: string): string | null {
    return this.#values.get(checkedName(name))?.join(', ') ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(checkedName(name));
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  forEach(callbackfn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#sorted()) callbackfn.call(thisArg, v, k, this);
  }

  #sorted(): [string, string][] {
    const out: [string, string][] = [];
    for (const name of [...this.#values.keys()].sort()) {
      const values = this.#values.get(name) as string[];
      if (name === 'set-cookie') for (const v of values) out.push([name, v]);
      else out.push([name, values.join(', ')]);
    }
    return out;
  }

  entries(): ArrayIterator<[string, string]> {
    return this.#sorted()[Symbol.iterator]();
  }

  keys(): ArrayIterator<string> {
    const names = this.#sorted().map(([k]) => k);
    return names[Symbol.iterator]();
  }

  values(): ArrayIterator<string> {
    const values = this.#sorted().map(([, v]) => v);
    return values[Symbol.iterator]();
  }

  [Symbol.iterator](): ArrayIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

export interface HubResponseInit {
  status: number;
  statusText?: string;
  headers?: HeadersLike;
  /** Where the answer came from (fetch's `response.url`; empty for a constructed one). */
  url?: string;
}

type Bytes = Uint8Array<ArrayBuffer>;

export class HubResponse implements Response {
  readonly headers: Headers;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly type = 'basic' as const;
  readonly redirected = false;
  #body: ReadableStream<Bytes> | null;
  #used = false;

  constructor(body: ReadableStream<Uint8Array> | null, init: HubResponseInit) {
    if (!Number.isInteger(init.status) || init.status < 200 || init.status > 599) throw new RangeError(`status ${init.status} is not a response status`);
    this.#body = body as ReadableStream<Bytes> | null;
    this.status = init.status;
    this.statusText = init.statusText ?? '';
    this.ok = init.status >= 200 && init.status <= 299;
    this.headers = init.headers instanceof HubHeaders ? init.headers : new HubHeaders(init.headers);
    this.url = init.url ?? '';
  }

  get body(): ReadableStream<Bytes> | null {
    return this.#body;
  }

  /** Read, or being read (a reader holds the stream): fetch's "disturbed or locked". */
  get bodyUsed(): boolean {
    return this.#used || (this.#body?.locked ?? false);
  }

  async bytes(): Promise<Bytes> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (!this.#body) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    let length = 0;
    const reader = this.#body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.byteLength;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    // UTF-8 with a leading BOM dropped, as fetch decodes.
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    return new Response(await this.bytes(), { status: this.status, headers: [...this.headers] }).formData();
  }

  clone(): HubResponse {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    let copy: ReadableStream<Bytes> | null = null;
    if (this.#body) [this.#body, copy] = this.#body.tee();
    return new HubResponse(copy, { status: this.status, statusText: this.statusText, headers: new HubHeaders(this.headers), url: this.url });
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}
