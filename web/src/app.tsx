// The shell: navigation and the page the URL names.
import { Link } from './ui/kit';
import { matchPath, useLocation } from './router';
import { DashboardPage } from './pages/dashboard';
import { TargetsPage } from './pages/targets';
import { DatasetsPage } from './pages/datasets';
import { ConvertersPage } from './pages/converters';
import { ScorersPage } from './pages/scorers';
import { ExecutionsPage } from './pages/executions';
import { ConversationPage, ExecutionPage } from './pages/execution';
import { SettingsPage } from './pages/settings';
import { PlaygroundPage } from './pages/playground';

const NAV: [string, string][] = [
  ['/', 'Dashboard'],
  ['/targets', 'Targets'],
  ['/datasets', 'Datasets'],
  ['/converters', 'Converters'],
  ['/scorers', 'Scorers'],
  ['/executions', 'Executions'],
  ['/playground', 'Playground'],
  ['/settings', 'Settings'],
];

function page(path: string) {
  let m;
  if (path === '/') return <DashboardPage />;
  if (path === '/targets') return <TargetsPage />;
  if (path === '/datasets' || matchPath('/datasets/:id', path)) return <DatasetsPage />;
  if (path === '/converters') return <ConvertersPage />;
  if (path === '/scorers') return <ScorersPage />;
  if (path === '/executions') return <ExecutionsPage />;
  if ((m = matchPath('/executions/:id', path))) return <ExecutionPage id={m.id} />;
  if ((m = matchPath('/conversations/:id', path))) return <ConversationPage id={m.id} />;
  if (path === '/settings') return <SettingsPage />;
  if (path === '/playground') return <PlaygroundPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link href="/">Go to the dashboard</Link>.
      </p>
    </section>
  );
}

export function App() {
  const loc = useLocation();
  const section = '/' + (loc.path.split('/')[1] ?? '');
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header>
        <span class="brand">redcell</span>
        <nav aria-label="Main">
          {NAV.map(([href, label]) => (
            <Link href={href} aria-current={section === href || (href === '/conversations' && section === '/executions') ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main">{page(loc.path)}</main>
    </>
  );
}
