// A tiny REST client for tests: raw fetch, so tests see exactly what a Lynx client would.
export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class LynxHttp {
  constructor(
    readonly baseUrl: string,
    public headers: Record<string, string> = {},
  ) {}

  static basic(user: string, password: string): string {
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  withKey(token: string): LynxHttp {
    return new LynxHttp(this.baseUrl, { 'X-API-Key': token });
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { ...this.headers, ...headers },
      // Like go-lynx and node-lynx 2.5, send JSON without a Content-Type unless a test sets one.
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // leave as text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  /** Logs in with e-mail and password and returns a client using the token. */
  async login(email: string, password: string): Promise<{ client: LynxHttp; token: string }> {
    const res = await this.post<{ token: string }>('/api/v2/auth', undefined, { Authorization: LynxHttp.basic(email, password) });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { client: this.withKey(res.body.token), token: res.body.token };
  }
}

export function expectOk<T>(reply: Reply<T>): T {
  if (reply.status !== 200) throw new Error(`expected 200, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}
