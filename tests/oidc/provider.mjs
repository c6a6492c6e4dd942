// A real OpenID Provider for the tests: the certified `oidc-provider` package on loopback.
// Usage: node provider.mjs PORT REDIRECT_URI [REDIRECT_URI...]
// Accounts are email addresses; `unverified@…` has email_verified false, `admin@…` is in the
// "candor-admins" group. Login: the `login_hint` if the client sent one, else a small form.
import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const client = (id, extra = {}) => ({
  client_id: id, client_secret: `${id}-secret`, redirect_uris: redirectUris,
  grant_types: ['authorization_code'], response_types: ['code'], ...extra,
});

const provider = new Provider(issuer, {
  clients: [client('candor'), client('other'), client('short')],
  claims: {
    openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'],
  },
  conformIdTokenClaims: false, // put email and groups in the ID token itself
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  ttl: { IdToken: (ctx, token, c) => (c.clientId === 'short' ? 2 : 600) },
  cookies: { keys: ['candor-test-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, email: id, email_verified: !id.startsWith('unverified@'),
          name: id.split('@')[0].replace(/^./, (c) => c.toUpperCase()),
          groups: id.startsWith('admin@') ? ['candor-admins'] : ['everyone'],
        };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

const form = (uid) => `<!doctype html><title>Test provider</title><form method="post"
  action="/interaction/${uid}"><label>Account <input name="login"></label>
  <button type="submit">Sign in at provider</button></form>`;

async function finish(ctx, details, accountId) {
  if (details.prompt.name === 'login') {
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId } },
      { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: details.session.accountId,
    clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } },
    { mergeWithLastSubmission: true });
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name !== 'login') return finish(ctx, details);
  if (ctx.method === 'POST') {
    const body = await new Promise((resolve) => {
      let data = '';
      ctx.req.on('data', (chunk) => { data += chunk; });
      ctx.req.on('end', () => resolve(new URLSearchParams(data)));
    });
    return finish(ctx, details, body.get('login'));
  }
  if (details.params.login_hint) return finish(ctx, details, details.params.login_hint);
  ctx.type = 'html';
  ctx.body = form(match[1]);
  return undefined;
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
