import { CLIENT_ID, CLIENT_SECRET, signInAtProvider, startProvider } from './oidc_provider.mjs';
import { allow, apiCall, assert, checkAccessibility, freePort, screenshot, startServer, until, watchedContext } from './harness.mjs';

// Browser sign-in against a real OpenID Provider: two users in two browser contexts, each
// seeing only their own data (also by typing the other's URLs); the session lives in an
// HttpOnly cookie (no token in the page); a POST without the CSRF token is refused; sign
// out; a user whose username changed at the provider signs in again and finds their data;
// an expired session sends the page back to sign-in.
export async function oidc(browser) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startProvider(await freePort(), `${base}/auth/callback`);
  const lifetime = 20;
  const server = await startServer(['--auth', 'jwt', '--jwt-issuer', idp.issuer, '--jwt-audience', CLIENT_ID,
    '--jwt-jwks', `${idp.issuer}/jwks`, '--oidc-client-id', CLIENT_ID, '--oidc-client-secret', CLIENT_SECRET,
    '--session-lifetime', `${lifetime}s`, '--public-url', base], {}, `127.0.0.1:${port}`);
  const contexts = [];
  try {
    allow(new RegExp(`^\\w+ ${idp.issuer}/`));  // the provider's own pages and assets
    const a = await watchedContext(browser);
    const b = await watchedContext(browser);
    contexts.push(a, b);
    // The provider's development pages ask Google for a font; this machine has no way out.
    // Anything off loopback is answered empty here, and is a problem if redcell's own pages
    // asked for it (they must need nothing from the network).
    for (const c of contexts)
      await c.context.route((u) => u.hostname !== '127.0.0.1', (route) => {
        const from = route.request().frame()?.url() ?? '';
        if (from.startsWith(base)) c.problems.push(`redcell's page asked the network: ${route.request().url()}`);
        return route.fulfill({ status: 200, contentType: 'text/css', body: '' });
      });
    const pa = await a.context.newPage();
    const pb = await b.context.newPage();
    const signIn = async (page, sub, path = '/datasets') => {
      await page.goto(base + path);
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
      await signInAtProvider(page, sub);
      await page.getByTestId('signed-in-as').waitFor();
      return Date.now();
    };
    await pa.goto(base + '/datasets');
    await pa.getByRole('heading', { name: 'Sign in to redcell' }).waitFor();
    await screenshot(pa, 'sign-in');
    await checkAccessibility(pa, 'sign-in');
    await signIn(pa, 'alice');
    assert(new URL(pa.url()).pathname === '/datasets', 'back where the sign-in started');
    assert((await pa.getByTestId('signed-in-as').textContent()) === 'alice', 'signed in as alice');
    const cookies = await a.context.cookies(base);
    const session = cookies.find((c) => c.name === 'redcell_session');
    assert(session && session.httpOnly && session.sameSite === 'Strict', `session cookie ${JSON.stringify(cookies)}`);
    const visible = await pa.evaluate(() => document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage));
    assert(!visible.includes('eyJ') && !visible.includes(session.value), 'no token or session id visible to scripts');
    await pa.locator('#ds-name').fill('alice secrets');
    await pa.locator('#ds-prompts').fill('a prompt only alice has');
    await pa.getByRole('button', { name: 'Create dataset' }).click();
    await pa.getByRole('heading', { name: 'alice secrets' }).waitFor();
    const datasetUrl = pa.url();

    await signIn(pb, 'bob');
    assert((await pb.getByTestId('signed-in-as').textContent()) === 'bob', 'signed in as bob');
    await pb.getByText('No datasets yet').waitFor();
    allow(/^GET .*\/api\/v1\/datasets\/[^/?]+(\/prompts)?(\?.*)?$/);
    await pb.goto(datasetUrl);
    await pb.getByText('no dataset with that id').waitFor();
    assert((await pb.getByText('a prompt only alice has').count()) === 0, "bob does not see alice's prompt");
    await screenshot(pb, 'isolation-bob');
    // The session cookie alone does not make a POST: the CSRF token must come with it.
    allow(/^POST .*\/api\/v1\/datasets$/);
    const csrfless = await pb.evaluate(async () => (await fetch('/api/v1/datasets', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x', prompts: ['y'] }),
    })).status);
    assert(csrfless === 403, `a POST without X-CSRF-Token answered ${csrfless}`);
    const anonymous = await apiCall(base, 'GET', '/api/v1/datasets');
    assert(anonymous.status === 401, 'no cookie, no token: 401');

    // Live progress under the cookie session: the execution page's server-sent events carry
    // the cookie (EventSource cannot send a bearer token), and the run is followed to its end.
    const execution = await pb.evaluate(async () => {
      const s = await (await fetch('/auth/session')).json();
      const h = { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token };
      const post = async (path, body) => (await fetch(path, { method: 'POST', headers: h, body: JSON.stringify(body) })).json();
      const t = await post('/api/v1/targets', { name: 'slow', type: 'mock', behavior: 'comply', latency_ms: 250, limits: { max_in_flight: 1 } });
      const o = await post('/api/v1/orchestrators', { name: 'live', type: 'prompt_sending', target_id: t.id, prompts: ['a', 'b', 'c', 'd', 'e'] });
      return (await post(`/api/v1/orchestrators/${o.id}/executions`, {})).id;
    });
    const streamed = [];
    pb.on('response', (r) => { if (r.url().includes(`/api/v1/executions/${execution}/events`)) streamed.push(r.status()); });
    await pb.goto(`${base}/executions/${execution}`);
    await until(async () => (await pb.getByTestId('execution-status').textContent()) === 'succeeded', 'followed live to the end', 30_000);
    await until(async () => (await pb.getByTestId('progress-done').textContent()).startsWith('5 / 5'), 'all five items counted');
    assert(streamed.length > 0 && streamed.every((st) => st === 200), `the event stream under the cookie: ${streamed}`);

    // Sign out, then a username changed at the provider: same user, same data.
    await pa.getByRole('button', { name: 'Sign out' }).click();
    await pa.getByText('You are signed out.').waitFor();
    await pa.goto(base + '/datasets');
    await pa.getByRole('heading', { name: 'Sign in to redcell' }).waitFor();
    idp.setUsername('alice', 'alice.renamed');
    const signedIn = await signIn(pa, 'alice');
    assert((await pa.getByTestId('signed-in-as').textContent()) === 'alice.renamed', 'the new username');
    await pa.getByRole('link', { name: 'alice secrets' }).waitFor();
    await pa.getByRole('link', { name: 'Settings', exact: true }).click();
    await until(async () => (await pa.getByTestId('me-username').count()) === 1, 'settings loaded');
    assert((await pa.getByTestId('me-username').textContent()) === 'alice.renamed', 'settings show the new username');

    // The session ends at its lifetime: the next call sends the page back to sign-in.
    await new Promise((r) => setTimeout(r, Math.max(0, signedIn + lifetime * 1000 + 1500 - Date.now())));
    allow(/^\w+ .*\/api\/v1\//);
    await pa.getByRole('link', { name: 'Targets', exact: true }).click();
    await pa.getByText('Your session has ended: sign in again.').waitFor();
    await screenshot(pa, 'session-ended');
    for (const c of contexts) if (c.problems.length) throw new Error(c.problems.join('\n'));
  } finally {
    for (const c of contexts) await c.context.close();
    await server.stop();
    await idp.stop();
  }
}
