// Dashboard: what is running now, the recent attacks, and executions over time.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { get, pathOf, type Execution, type Page, type Schemas } from '../api/client';
import { Empty, ErrorNote, Link, Loading, PageTitle, Time, percent, useAsync } from '../ui/kit';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

// Executions per day, from the most recent page of executions.
export function perDay(executions: Execution[]): { day: string; runs: number; achieved: number }[] {
  const days = new Map<string, { runs: number; achieved: number }>();
  for (const e of executions) {
    const day = e.created_at.slice(0, 10);
    const d = days.get(day) ?? { runs: 0, achieved: 0 };
    d.runs += 1;
    d.achieved += e.counts.achieved;
    days.set(day, d);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, d]) => ({ day, ...d }));
}

function OverTime(props: { executions: Execution[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const data = perDay(props.executions);
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: data.map((d) => d.day),
        datasets: [
          { label: 'executions', data: data.map((d) => d.runs), backgroundColor: '#5b6ee1' },
          { label: 'successful attacks', data: data.map((d) => d.achieved), backgroundColor: '#d9534f' },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
    return () => chart.destroy();
  }, [props.executions]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label="Executions and successful attacks per day" />
    </div>
  );
}

type Grouping = 'target' | 'harm_category' | 'converter_chain';
type Success = Schemas['AttackSuccess'];
const GROUPINGS: [Grouping, string][] = [
  ['target', 'by target'],
  ['harm_category', 'by harm category'],
  ['converter_chain', 'by converter chain'],
];

// Attack success rate per group, as a bar chart with the counts in the table beside it (a
// rate over 3 decided items is not a rate over 3,000).
function SuccessChart(props: { by: Grouping; title: string }) {
  const stats = useAsync(() => get<Success>(pathOf('/api/v1/stats/attack-success', {}, { by: props.by })), [props.by]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const items = useMemo(() => stats.data?.items.slice(0, 12) ?? [], [stats.data]);
  useEffect(() => {
    if (!canvas.current || items.length === 0) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: items.map((i) => i.label || i.key),
        datasets: [{ label: 'attack success rate (%)', data: items.map((i) => (i.success_rate ?? 0) * 100), backgroundColor: '#d9534f' }],
      },
      options: { indexAxis: 'y', responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { min: 0, max: 100 } } },
    });
    return () => chart.destroy();
  }, [items]);
  return (
    <section class="card" aria-label={`Attack success ${props.title}`}>
      <h3>Attack success {props.title}</h3>
      <ErrorNote error={stats.error} />
      {stats.data && items.length === 0 && <p class="hint">No finished attacks yet.</p>}
      {items.length > 0 && (
        <>
          <div class="chart small-chart">
            <canvas ref={canvas} role="img" aria-label={`Attack success rate ${props.title}`} />
          </div>
          <table class="compact">
            <thead><tr><th>{props.by.replace('_', ' ')}</th><th>Success</th><th>Achieved / decided</th><th>Executions</th></tr></thead>
            <tbody>
              {items.map((i) => (
                <tr><td>{i.label || i.key}</td><td>{percent(i.success_rate)}</td><td>{i.achieved} / {i.decided}</td><td>{i.executions}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function DashboardPage() {
  const recent = useAsync(() => get<Page<Execution>>(pathOf('/api/v1/executions', {}, { limit: 200 })), []);
  const running = recent.data?.items.filter((e) => e.status === 'running' || e.status === 'queued') ?? [];
  // While something runs, its progress is read again every 2 s.
  const anyRunning = running.length > 0;
  const reload = recent.reload;
  useEffect(() => {
    if (!anyRunning) return;
    const h = window.setInterval(reload, 2000);
    return () => window.clearInterval(h);
  }, [anyRunning, reload]);
  return (
    <section>
      <PageTitle>Dashboard</PageTitle>
      <ErrorNote error={recent.error} />
      {recent.loading && !recent.data && <Loading what="executions" />}
      {recent.data && recent.data.items.length === 0 && (
        <Empty>
          Nothing has run yet. Start with a <Link href="/targets">target</Link> and a <Link href="/datasets">dataset</Link>, then{' '}
          <Link href="/executions?new=1">launch an attack</Link>.
        </Empty>
      )}
      {recent.data && recent.data.items.length > 0 && (
        <>
          <h2>Running now</h2>
          {running.length === 0 && <p class="hint">No execution is running.</p>}
          <ul class="rows">
            {running.map((e) => (
              <li class="row-card" aria-label={`Running ${e.id}`}>
                <Link href={`/executions/${encodeURIComponent(e.id)}`}><code>{e.id.slice(0, 13)}…</code></Link>{' '}
                <span data-testid="running-progress">{e.counts.sent + e.counts.errors} / {e.counts.total}</span>
              </li>
            ))}
          </ul>
          <h2>Over time</h2>
          <OverTime executions={recent.data.items} />
          <h2>Attack success</h2>
          <div class="stats-grid">
            {GROUPINGS.map(([by, title]) => <SuccessChart by={by} title={title} />)}
          </div>
          <h2>Recent</h2>
          <table>
            <thead><tr><th>Execution</th><th>Status</th><th>Success rate</th><th>Created</th></tr></thead>
            <tbody>
              {recent.data.items.slice(0, 10).map((e) => (
                <tr>
                  <td><Link href={`/executions/${encodeURIComponent(e.id)}`}><code>{e.id.slice(0, 13)}…</code></Link></td>
                  <td><span class={`status ${e.status}`}>{e.status}</span></td>
                  <td>{percent(e.attack_success_rate)}</td>
                  <td><Time at={e.created_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
