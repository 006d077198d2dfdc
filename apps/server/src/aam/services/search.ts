// Search (spec 1.18 SearchResult, 2.12 `GET /api/v3beta/search`) over installations, devices and
// functions, only within what the caller may list (installation/list, devicex/list, functionx/list).
// `q` is a case-insensitive substring of the name or of any meta value the caller may see;
// `metadata.<key>=<value>` are exact matches on visible meta. Results come installations first,
// then devices, then functions, each by id; `total` counts every match before limit/offset.
import { z } from 'zod';
import { searchTypes, type SearchEntry, type SearchResult, type SearchType } from '@lynx/shared';
import type { Principal } from '../principal.js';
import { SearchRepository, type SearchCandidate } from '../repositories/search.js';
import type { AamDb } from '../store/open-store.js';
import type { AccessPolicy } from './access-policy.js';
import { metaKeySchema } from './meta.js';
import { parseInput } from './parse-input.js';

export const defaultSearchLimit = 100;
export const maxSearchLimit = 1000;

export interface SearchServiceDeps {
  db: AamDb;
  policy: AccessPolicy;
}

const listFamily: Record<SearchType, { family: string; kind: 'installation' | 'devicex' | 'functionx' }> = {
  installation: { family: 'installation/list', kind: 'installation' },
  device: { family: 'devicex/list', kind: 'devicex' },
  function: { family: 'functionx/list', kind: 'functionx' },
};

const lastValue = (v: unknown) => (Array.isArray(v) ? v[v.length - 1] : v);
const count = (what: string) =>
  z.preprocess(
    (v) => {
      const x = lastValue(v);
      if (x === '' || x === null || x === undefined) return undefined;
      return typeof x === 'number' ? String(x) : x;
    },
    z.string({ error: `must be ${what}` }).regex(/^[0-9]{1,9}$/, `must be ${what}`).transform(Number).optional(),
  );

/**
 * One input shape for REST (query parameters: `types=a,b`, `metadata.<key>=<value>` at the top
 * level) and tRPC (`types` array, `metadata` object).
 */
const querySchema = z.preprocess(
  (raw) => {
    if (typeof raw !== 'object' || raw === null) return raw;
    const input: Record<string, unknown> = {};
    const metadata: [string, unknown][] = typeof (raw as { metadata?: unknown }).metadata === 'object' && (raw as { metadata?: unknown }).metadata !== null ? Object.entries((raw as { metadata: object }).metadata) : [];
    for (const [key, value] of Object.entries(raw)) {
      if (key.startsWith('metadata.')) metadata.push([key.slice('metadata.'.length), lastValue(value)]);
      else if (key !== 'metadata') input[key] = value;
    }
    // Kept as entries: zod records (and plain assignment) would drop a "__proto__" key.
    input.metadata = metadata;
    return input;
  },
  z.object({
    q: z.preprocess(lastValue, z.string({ error: 'must be text' }).max(1000, 'is longer than 1000 characters').optional()),
    types: z.preprocess(
      (v) => {
        if (v === undefined || v === null) return undefined;
        const items = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',').map((s) => s.trim()) : [x])).filter((x) => x !== '');
        return items.length ? items : undefined;
      },
      z.array(z.enum(searchTypes, { error: `must be a comma-separated list of ${searchTypes.join(', ')}` })).optional(),
    ),
    limit: count('a non-negative integer'),
    offset: count('a non-negative integer'),
    metadata: z.array(z.tuple([metaKeySchema, z.union([z.string(), z.number(), z.boolean()]).transform(String)])),
  }),
);

export class SearchService {
  private readonly repo: SearchRepository;

  constructor(private readonly deps: SearchServiceDeps) {
    this.repo = new SearchRepository(deps.db);
  }

  async search(p: Principal, query: unknown): Promise<SearchResult> {
    const input = parseInput(querySchema, query ?? {});
    const q = input.q?.trim() ? input.q.trim().toLowerCase() : undefined;
    const types = input.types ? [...new Set(input.types)] : [...searchTypes];
    // The last value of a repeated key wins, as for the list filters.
    const filters = [...new Map(input.metadata).entries()].filter(([, v]) => v !== '');
    const limit = Math.min(input.limit || defaultSearchLimit, maxSearchLimit);
    const offset = input.offset ?? 0;

    const matches: SearchEntry[] = [];
    // In spec order so pages are stable: installations, devices, functions.
    for (const type of searchTypes.filter((t) => types.includes(t))) {
      const { family, kind } = listFamily[type];
      const reach = this.deps.policy.reach(p, family);
      const ids = reach.kind === 'all' ? null : [...reach.ids].sort((a, b) => a - b);
      if (ids && ids.length === 0) continue;
      const candidates = await this.repo.candidates(type, { installationIds: ids, meta: filters.map(([key, value]) => ({ key, value })) });
      const canView = new Map<number, boolean>();
      for (const c of candidates) {
        let view = canView.get(c.installationId);
        if (view === undefined) {
          view = this.deps.policy.protectedMeta(p, kind, c.installationId).view;
          canView.set(c.installationId, view);
        }
        const entry = this.match(type, c, view, q, filters);
        if (entry) matches.push(entry);
      }
    }
    return {
      total: matches.length,
      limit,
      offset,
      ...(input.q !== undefined && { q: input.q }),
      ...(input.types && { types }),
      ...(filters.length > 0 && { metadata: Object.fromEntries(filters) }),
      results: matches.slice(offset, offset + limit),
    };
  }

  private match(type: SearchType, c: SearchCandidate, canView: boolean, q: string | undefined, filters: [string, string][]): SearchEntry | null {
    const visible = c.meta.filter((m) => canView || !m.protected);
    const metadata = Object.fromEntries(visible.map((m) => [m.key, m.value]));
    // A filter on a protected key the caller cannot see matches nothing, as if the key were absent.
    for (const [key, value] of filters) if (!Object.hasOwn(metadata, key) || metadata[key] !== value) return null;
    const own = (key: string) => (Object.hasOwn(metadata, key) ? metadata[key] : '');
    const name = type === 'installation' ? c.name : own('name');
    const hits = q === undefined ? [] : visible.filter((m) => m.value.toLowerCase().includes(q));
    // The name, a visible meta value, or the device/function type (`temperature`, `switch`).
    if (q !== undefined && hits.length === 0 && !name.toLowerCase().includes(q) && !c.objectType.toLowerCase().includes(q)) return null;
    // Built with fromEntries, so keys like "__proto__" stay ordinary keys.
    const metaMatches = Object.fromEntries(hits.map((m) => [m.key, m.value]));
    return {
      type,
      id: c.id,
      installation_id: c.installationId,
      name,
      description: type === 'installation' ? c.notes : own('description'),
      created: c.created,
      updated: c.updated,
      meta_matches: metaMatches,
      metadata,
    };
  }
}
