// History per function: presets or a custom range, drag on a chart to zoom in, buttons to pan and
// zoom out. The bucket interval follows the range (~1,000 points), so a month of second-level data
// stays light; the CSV export holds exactly the points shown.
import { Alert, Button, Group, MultiSelect, SegmentedControl, Select, Stack, Text, TextInput, Title, Paper } from '@mantine/core';
import { IconChevronLeft, IconChevronRight, IconDownload, IconZoomOut } from '@tabler/icons-react';
import { formatGoDuration } from '@lynx/shared';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { TimeChart } from '../components/time-chart.js';
import { Empty, ErrorState, Loading, QueryView } from '../components/states.js';
import { csvFileName, downloadText, toCsv } from '../lib/csv.js';
import { readTopics } from '../lib/format-value.js';
import { aggregationInterval, describeInterval, rangeForPreset, type RangePreset, type TimeRange } from '../lib/history-range.js';
import { alignSeries } from '../lib/series.js';
import { useTRPC } from '../trpc.js';
import { objectName } from './xobjects-tab.js';

type Preset = RangePreset | 'custom';

/** `datetime-local` value in local time for Unix seconds, and back. */
export function toLocalInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(value: string): number | null {
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? Math.floor(t / 1000) : null;
}

const rawLimit = 20_000;

/** Unix seconds, advancing every `step` seconds. */
function useSteppedClock(step: number): number {
  const read = () => Math.ceil(Date.now() / 1000 / step) * step;
  const [now, setNow] = useState(read);
  useEffect(() => {
    const t = setInterval(() => setNow(read()), (step * 1000) / 2);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);
  return now;
}

export function HistoryTab({ installationId, clientId }: { installationId: number; clientId: number }) {
  const trpc = useTRPC();
  const functions = useQuery(trpc.functions.list.queryOptions({ installationId, filters: {} }));
  const [preset, setPreset] = useState<Preset>('hour');
  const [customRange, setRange] = useState<TimeRange>(() => rangeForPreset('hour', Math.floor(Date.now() / 1000)));
  // Presets slide with the clock (in steps, so the query is not new on every render).
  const now = useSteppedClock(10);
  const range = preset === 'custom' ? customRange : rangeForPreset(preset, now);
  const [method, setMethod] = useState('avg');
  const [selected, setSelected] = useState<string[] | null>(null);

  const charted = useMemo(() => (functions.data ?? []).filter((f) => readTopics(f.meta).length > 0), [functions.data]);
  // Until the user picks, show the first few functions so the tab is useful at once.
  const chosenIds = selected ?? charted.slice(0, 4).map((f) => String(f.id));
  const chosen = charted.filter((f) => chosenIds.includes(String(f.id)));
  const topics = [...new Set(chosen.flatMap((f) => readTopics(f.meta).map((t) => t.topic)))];
  const interval = aggregationInterval(range);

  const history = useQuery({
    ...trpc.data.history.queryOptions({
      installationId,
      topics,
      from: range.from,
      to: range.to,
      order: 'asc',
      ...(interval > 0 ? { aggregation: { method, interval: formatGoDuration(interval) } } : { limit: rawLimit }),
    }),
    enabled: topics.length > 0,
    placeholderData: keepPreviousData,
  });

  const points = useMemo(() => {
    const prefix = `${clientId}/`;
    return (history.data?.data ?? []).map((r) => ({ topic: r.topic.startsWith(prefix) ? r.topic.slice(prefix.length) : r.topic, timestamp: r.timestamp, value: r.value, msg: r.msg }));
  }, [history.data, clientId]);

  const choosePreset = (p: Preset) => {
    // Custom starts from what was shown, so the From/To fields are filled in.
    if (p === 'custom') setRange(range);
    setPreset(p);
  };
  const span = range.to - range.from;
  const pan = (dir: -1 | 1) => {
    setPreset('custom');
    setRange({ from: range.from + (dir * span) / 2, to: range.to + (dir * span) / 2 });
  };
  const zoomOut = () => {
    setPreset('custom');
    setRange({ from: range.from - span / 2, to: range.to + span / 2 });
  };
  const zoomTo = (from: number, to: number) => {
    setPreset('custom');
    setRange({ from: Math.floor(from), to: Math.ceil(to) });
  };

  const exportCsv = () => {
    const name = chosen.length === 1 ? objectName(chosen[0], 'function') : `installation-${installationId}`;
    downloadText(csvFileName(name, range.from, range.to), toCsv(points));
  };

  return (
    <QueryView query={functions} what="functions">
      {() =>
        charted.length === 0 ? (
          <Empty title="Nothing to chart yet" hint="History is drawn per function: give functions a read topic on the Functions tab." />
        ) : (
          <Stack gap="md">
            <Group align="flex-end" gap="sm" wrap="wrap">
              <MultiSelect
                label="Functions"
                data={charted.map((f) => ({ value: String(f.id), label: objectName(f, 'function') }))}
                value={chosenIds}
                onChange={setSelected}
                searchable
                clearable
                maxValues={8}
                w={360}
                nothingFoundMessage="No function matches"
              />
              <div>
                <Text size="sm" fw={500} mb={4} id="history-range-label">
                  Range
                </Text>
                <SegmentedControl
                  aria-labelledby="history-range-label"
                  value={preset}
                  onChange={(v) => choosePreset(v as Preset)}
                  data={[
                    { value: 'hour', label: 'Hour' },
                    { value: 'day', label: 'Day' },
                    { value: 'week', label: 'Week' },
                    { value: 'month', label: 'Month' },
                    { value: 'custom', label: 'Custom' },
                  ]}
                />
              </div>
              <Select
                label="Aggregation"
                data={[
                  { value: 'avg', label: 'Average' },
                  { value: 'min', label: 'Minimum' },
                  { value: 'max', label: 'Maximum' },
                  { value: 'last', label: 'Last' },
                  { value: 'sum', label: 'Sum' },
                ]}
                value={method}
                onChange={(v) => setMethod(v ?? 'avg')}
                allowDeselect={false}
                disabled={interval === 0}
                w={140}
              />
            </Group>
            {preset === 'custom' && (
              <Group gap="sm" align="flex-end">
                <TextInput
                  type="datetime-local"
                  label="From"
                  value={toLocalInput(range.from)}
                  onChange={(e) => {
                    const from = fromLocalInput(e.currentTarget.value);
                    if (from !== null && from < range.to) setRange({ ...range, from });
                  }}
                />
                <TextInput
                  type="datetime-local"
                  label="To"
                  value={toLocalInput(range.to)}
                  onChange={(e) => {
                    const to = fromLocalInput(e.currentTarget.value);
                    if (to !== null && to > range.from) setRange({ ...range, to });
                  }}
                />
              </Group>
            )}
            <Group justify="space-between">
              <Text size="sm" c="dimmed" role="status">
                {new Date(range.from * 1000).toLocaleString()} – {new Date(range.to * 1000).toLocaleString()} · {interval > 0 ? `${describeInterval(interval)} buckets (${method})` : 'raw values'} ·{' '}
                {points.length} {points.length === 1 ? 'point' : 'points'} · drag across a chart to zoom in
              </Text>
              <Group gap="xs">
                <Button variant="default" size="xs" leftSection={<IconChevronLeft size={14} aria-hidden />} onClick={() => pan(-1)}>
                  Earlier
                </Button>
                <Button variant="default" size="xs" rightSection={<IconChevronRight size={14} aria-hidden />} onClick={() => pan(1)}>
                  Later
                </Button>
                <Button variant="default" size="xs" leftSection={<IconZoomOut size={14} aria-hidden />} onClick={zoomOut}>
                  Zoom out
                </Button>
                <Button variant="light" size="xs" leftSection={<IconDownload size={14} aria-hidden />} onClick={exportCsv} disabled={points.length === 0}>
                  Export CSV
                </Button>
              </Group>
            </Group>
            {interval === 0 && history.data && history.data.total > history.data.count && (
              <Alert color="yellow" variant="light" p="xs">
                Showing the first {history.data.count} of {history.data.total} values: narrow the range to see them all.
              </Alert>
            )}
            {chosen.length === 0 ? (
              <Empty title="No function chosen" hint="Pick one or more functions above." />
            ) : history.error ? (
              <ErrorState error={history.error} what="the history" onRetry={() => void history.refetch()} />
            ) : !history.data ? (
              <Loading label="Loading history…" />
            ) : (
              chosen.map((f) => {
                const fTopics = readTopics(f.meta);
                const data = alignSeries(points, fTopics.map((t) => t.topic));
                const name = objectName(f, 'function');
                return (
                  <Paper key={f.id} withBorder p="sm" aria-label={`History of ${name}`} component="section">
                    <Title order={3} size="h5" mb="xs">
                      {name}
                    </Title>
                    {data[0].length === 0 ? (
                      <Text size="sm" c="dimmed">
                        No values in this range. Try a longer range, or check that devices publish on {fTopics.map((t) => t.topic).join(', ')}.
                      </Text>
                    ) : (
                      <TimeChart
                        label={`Chart of ${name}, ${data[0].length} points`}
                        data={data}
                        series={fTopics.map((t) => ({ label: t.key === 'read' ? name : `${name} (${t.key})`, unit: f.meta.unit }))}
                        onZoom={zoomTo}
                        xRange={[range.from, range.to]}
                      />
                    )}
                  </Paper>
                );
              })
            )}
          </Stack>
        )
      }
    </QueryView>
  );
}
