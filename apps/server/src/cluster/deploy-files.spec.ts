// The deployment files under deploy/ (docs/deployment.md) are parsed and cross-checked against each
// other and against the server's configuration keys, so a typo fails here rather than in a cluster.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../config/load-config.js';
import { configKeys } from '../config/schema.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const deploy = join(repo, 'deploy');

type Doc = Record<string, any>;

function kubernetesDocs(): Doc[] {
  const dir = join(deploy, 'kubernetes');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => {
      const docs = parseAllDocuments(readFileSync(join(dir, f), 'utf8'));
      for (const d of docs) if (d.errors.length) throw new Error(`${f}: ${d.errors[0].message}`);
      return docs.map((d) => ({ ...(d.toJS() as Doc), __file: f }));
    });
}

function which(bin: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

describe('kubernetes manifests', () => {
  const docs = kubernetesDocs();
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

  it('are YAML objects with apiVersion, kind and metadata.name', () => {
    const versions: Record<string, string> = { Deployment: 'apps/v1', Service: 'v1', ConfigMap: 'v1' };
    expect(docs.length).toBeGreaterThanOrEqual(3);
    for (const d of docs) {
      expect(versions[d.kind], `${d.__file}: kind ${d.kind}`).toBeDefined();
      expect(d.apiVersion, d.__file).toBe(versions[d.kind]);
      expect(d.metadata?.name, d.__file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(byKind('Deployment')).toHaveLength(1);
    expect(byKind('Service')).toHaveLength(1);
    expect(byKind('ConfigMap')).toHaveLength(1);
  });

  it('have a Deployment whose selector, containers, probes and references hold together', () => {
    const [dep] = byKind('Deployment');
    const spec = dep.spec;
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const labels = spec.template.metadata.labels;
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    const [container] = spec.template.spec.containers;
    expect(container.name).toBeTruthy();
    expect(container.image).toMatch(/\S+:\S+/);
    const portNames = container.ports.map((p: Doc) => p.name);
    expect(portNames).toEqual(expect.arrayContaining(['http', 'mqtt']));
    for (const p of container.ports) expect(p.containerPort).toBeGreaterThan(0);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/api/v2/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/api/v2/ping', port: 'http' });
    const [configMap] = byKind('ConfigMap');
    expect(container.envFrom.map((e: Doc) => e.configMapRef?.name).filter(Boolean)).toEqual([configMap.metadata.name]);
    expect(container.env.find((e: Doc) => e.name === 'LYNX_NODE_ID').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    const mounts = container.volumeMounts.map((m: Doc) => m.name);
    for (const m of mounts) expect(spec.template.spec.volumes.map((v: Doc) => v.name)).toContain(m);
  });

  it('have a Service selecting the pods, on ports the container names', () => {
    const [svc] = byKind('Service');
    const [dep] = byKind('Deployment');
    const labels = dep.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
    const portNames = dep.spec.template.spec.containers[0].ports.map((p: Doc) => p.name);
    for (const p of svc.spec.ports) {
      expect(p.port).toBeGreaterThan(0);
      expect(portNames).toContain(p.targetPort);
    }
  });

  it('have a ConfigMap of known LYNX_ settings that, with the secrets, make a valid cluster configuration', () => {
    const [cm] = byKind('ConfigMap');
    const known = new Set(Object.values(configKeys).map((k) => k.env));
    for (const [key, value] of Object.entries(cm.data as Record<string, unknown>)) {
      expect(known.has(key), `unknown setting ${key}`).toBe(true);
      expect(typeof value, key).toBe('string');
    }
    const env = { ...(cm.data as Record<string, string>), LYNX_DATABASE_URL: 'postgresql://lynx:pw@postgres:5432/lynx', LYNX_REDIS_URL: 'redis://:pw@redis:6379/0' };
    expect(loadConfig([], env).config.cluster).toBe(true);
  });
});

describe('haproxy.cfg', () => {
  const path = join(deploy, 'haproxy/haproxy.cfg');
  const text = readFileSync(path, 'utf8');

  it('passes haproxy -c where haproxy is installed', () => {
    const haproxy = which('haproxy');
    if (!haproxy) return; // checked structurally below; `apt-get install haproxy` runs the real check
    // The example addresses need not resolve for a configuration check.
    execFileSync(haproxy, ['-c', '-f', path], { stdio: 'pipe' });
  });

  it('is structurally sound: sections, bindings, backends referenced and defined, servers checked', () => {
    const sections = new Map<string, string[]>();
    let current: string | null = null;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*$/, '').trimEnd();
      if (!line.trim()) continue;
      const header = /^(global|defaults|frontend|backend|listen)(?:\s+(\S+))?\s*$/.exec(line);
      if (header) {
        current = `${header[1]} ${header[2] ?? ''}`.trim();
        expect(sections.has(current), `duplicate section ${current}`).toBe(false);
        sections.set(current, []);
        continue;
      }
      expect(/^\s+\S/.test(line), `line outside a section or not indented: ${line}`).toBe(true);
      expect(current, `line before any section: ${line}`).not.toBeNull();
      sections.get(current!)!.push(line.trim());
    }
    const frontends = [...sections.keys()].filter((s) => s.startsWith('frontend '));
    const backends = new Set([...sections.keys()].filter((s) => s.startsWith('backend ')).map((s) => s.slice(8)));
    expect(frontends.length).toBeGreaterThanOrEqual(2);
    for (const f of frontends) {
      const lines = sections.get(f)!;
      expect(lines.some((l) => /^bind\s+\S*:\d+/.test(l)), `${f} binds a port`).toBe(true);
      for (const l of lines) {
        const ref = /^(?:default_backend|use_backend)\s+(\S+)/.exec(l);
        if (ref) expect(backends.has(ref[1]), `${f} refers to backend ${ref[1]}`).toBe(true);
      }
    }
    for (const b of backends) {
      const lines = sections.get(`backend ${b}`)!;
      const servers = lines.filter((l) => l.startsWith('server '));
      expect(servers.length, `backend ${b} has servers`).toBeGreaterThanOrEqual(2);
      for (const s of servers) expect(s).toMatch(/^server\s+\S+\s+[\w.-]+:\d+\s+check\b/);
      expect(lines).toContain('http-check send meth GET uri /api/v2/ready');
    }
    // MQTT over TCP, and WebSocket upgrades of /mqtt routed to the HTTP port.
    expect(text).toMatch(/frontend mqtt[\s\S]*?mode tcp/);
    expect(text).toMatch(/use_backend \S+ if \{ path \/mqtt \}/);
  });
});

describe('docs/deployment.md', () => {
  it('links only files that exist, and README links it', () => {
    const doc = readFileSync(join(repo, 'docs/deployment.md'), 'utf8');
    const links = [...doc.matchAll(/\]\((\.\.\/[^)#\s]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(existsSync(resolve(repo, 'docs', link)), link).toBe(true);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('docs/deployment.md');
  });
});
