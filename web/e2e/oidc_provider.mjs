// A real OpenID Provider for the browser tests (npm oidc-provider, its development login
// and consent pages): one confidential client "redcell" whose redirect URI is the redcell
// server's callback, PKCE required, profile claims in the ID token. A test may change a
// user's username between two sign-ins (setUsername).
import Provider from 'oidc-provider';

export const CLIENT_ID = 'redcell';
export const CLIENT_SECRET = 'e2e-client-secret-e2e-client-secret';

export async function startProvider(port, redirectUri) {
  const issuer = `http://127.0.0.1:${port}`;
  const usernames = new Map();
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: { required: () => true, methods: ['S256'] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['e2e-cookie-signing-key-0123456789'] },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => {
        const username = usernames.get(sub) ?? sub;
        return { sub, preferred_username: username, name: `User ${username}` };
      },
    }),
  });
  // The provider's own logs would be console noise on every start.
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider:', err));
  const server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer,
    setUsername(sub, username) {
      usernames.set(sub, username);
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

// Signs `sub` in at the provider's development pages, when they are shown (a remembered
// login or consent skips them).
export async function signInAtProvider(page, sub) {
  for (let i = 0; i < 4; i++) {
    const url = new URL(page.url());
    if (!url.pathname.startsWith('/interaction/')) return;
    const login = page.locator('input[name="login"]');
    if (await login.count()) {
      await login.fill(sub);
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
    } else {
      await page.locator('button[type="submit"]').first().click();
    }
    await page.waitForLoadState('load');
  }
}
