// A uPlot line chart that fills its container. Dragging across it selects a range (zoom), which
// the parent turns into a new query so a zoomed-in view gets finer buckets from the server.
import { Box } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { AlignedData } from '../lib/series.js';

const palette = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d'];

export function TimeChart({
  data,
  series,
  height = 260,
  onZoom,
  label,
  xRange,
}: {
  data: AlignedData;
  series: { label: string; unit?: string }[];
  height?: number;
  /** Unix seconds of the range the user dragged across. */
  onZoom?: (from: number, to: number) => void;
  /** Accessible description of the chart. */
  label: string;
  /** Unix seconds the x axis spans: the queried range, however few points fall in it. */
  xRange?: [number, number];
}) {
  const { ref: sizeRef, width } = useElementSize();
  const holder = useRef<HTMLDivElement | null>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const rangeRef = useRef(xRange);
  rangeRef.current = xRange;
  const seriesKey = series.map((s) => `${s.label}|${s.unit ?? ''}`).join(',');

  useEffect(() => {
    if (!holder.current || width === 0) return;
    const opts: uPlot.Options = {
      width,
      height,
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true, range: (_u, min, max) => rangeRef.current ?? [min, max] } },
      legend: { live: true },
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          width: 1.5,
          spanGaps: true,
          // uPlot's default draws points only where data is sparse.
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : `${Number(v.toPrecision(6))}${s.unit ? ` ${s.unit}` : ''}`),
        })),
      ],
      axes: [{}, { size: 60 }],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current?.(from, to);
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, data as uPlot.AlignedData, holder.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // data is applied by the effect below without rebuilding the chart.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, height, width === 0]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data, xRange?.[0], xRange?.[1]]);

  useEffect(() => {
    if (width > 0) plot.current?.setSize({ width, height });
  }, [width, height]);

  return (
    <Box ref={sizeRef} w="100%">
      <div ref={holder} className="lynx-chart" role="img" aria-label={label} />
    </Box>
  );
}
