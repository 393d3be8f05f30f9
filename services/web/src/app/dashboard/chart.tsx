import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../schemas.js';

interface ChartProps {
  readonly series: Series;
  readonly labels: { received: string; ended: string; late: string };
  readonly title: string;
}

/** Received, ended and late per period (uPlot: small, maintained, canvas). Resizes with its container. */
export function SeriesChart({ series, labels, title }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const xs = series.points.map(
      (p) => Date.parse(`${p.period.length === 7 ? `${p.period}-01` : p.period}T00:00:00+07:00`) / 1000,
    );
    const data: uPlot.AlignedData = [
      xs,
      series.points.map((p) => p.received),
      series.points.map((p) => p.ended),
      series.points.map((p) => p.late),
    ];
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        title,
        width: width(),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Ho_Chi_Minh'),
        series: [
          {},
          { label: labels.received, stroke: '#1d4ed8', width: 2 },
          { label: labels.ended, stroke: '#15803d', width: 2 },
          { label: labels.late, stroke: '#b91c1c', width: 2, dash: [6, 4] },
        ],
        axes: [{}, { label: '#' }],
      },
      data,
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [series, labels, title]);
  return <div ref={host} class="chart" />;
}
