// The shell: sign-in (JWT mode), navigation and the page the URL names.
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, SIGNED_OUT_EVENT, type SessionInfo } from './api/client';
import { Button, Link, Loading } from './ui/kit';
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

// JWT mode without a session: where to sign in, and why we are here.
function SignInPage(props: { session: SessionInfo; reason?: string }) {
  const here = window.location.pathname + window.location.search;
  const error = new URLSearchParams(window.location.search).get('sign_in_error');
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to redcell</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {props.reason && <p role="status">{props.reason}</p>}
      {props.session.sign_in ? (
        <p>
          <a class="button" href={`${props.session.sign_in}?next=${encodeURIComponent(error ? '/' : here)}`}>Sign in with your identity provider</a>
        </p>
      ) : (
        <p>This server has no browser sign-in configured (<code>--oidc-client-id</code>). Use the API with a token or an API key.</p>
      )}
    </main>
  );
}

export function App() {
  const [session, setSession] = useState<SessionInfo>();
  const [reason, setReason] = useState<string>();
  const load = () =>
    api<SessionInfo>('GET', '/auth/session').then(
      (s) => { setCsrfToken(s.csrf_token); setSession(s); },
      () => setSession({ mode: 'jwt', signed_in: false, sign_in: null }),
    );
  useEffect(() => {
    void load();
    const ended = () => {
      setCsrfToken(undefined);
      setReason('Your session has ended: sign in again.');
      setSession((s) => (s && s.mode === 'jwt' ? { ...s, signed_in: false } : s));
    };
    window.addEventListener(SIGNED_OUT_EVENT, ended);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, ended);
  }, []);
  if (!session) return <Loading what="your session" />;
  if (!session.signed_in) return <SignInPage session={session} reason={reason} />;
  return <Shell session={session} onSignedOut={() => { setCsrfToken(undefined); setReason('You are signed out.'); setSession({ ...session, signed_in: false }); }} />;
}

function Shell(props: { session: SessionInfo; onSignedOut: () => void }) {
  const loc = useLocation();
  const section = '/' + (loc.path.split('/')[1] ?? '');
  const signOut = async () => {
    await api('POST', '/auth/logout', {}).catch(() => undefined);
    props.onSignedOut();
  };
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
        {props.session.mode === 'jwt' && (
          <span class="who">
            <span data-testid="signed-in-as">{props.session.username}</span> <Button onClick={() => void signOut()}>Sign out</Button>
          </span>
        )}
      </header>
      <main id="main">{page(loc.path)}</main>
    </>
  );
}
