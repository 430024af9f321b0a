// The sandbox's OpenID provider: panva's oidc-provider (an OpenID Certified
// implementation), configured for zkmq's single sign-on tests and for trying
// SSO with scripts/console. Started by `scripts/sandbox start oidc` on
// 127.0.0.1:9400; never for production.
//
// Sign-in uses the library's own development pages: any password is
// accepted, and the login name picks the account below. Each account's
// `groups` claim is what zkmq maps to roles under [auth.groups].
import Provider from "oidc-provider";

const host = process.env.ZKMQ_OIDC_HOST ?? "127.0.0.1";
const port = Number(process.env.ZKMQ_OIDC_PORT ?? 9400);
const issuer = `http://${host}:${port}`;

/** Login name → groups. Unknown names sign in with no groups. */
const GROUPS = {
  alice: ["zkmq-kafka-ops"],
  bob: ["zkmq-viewers"],
  carol: ["zkmq-admins"],
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "zkmq",
      client_secret: "sandbox oidc client secret",
      // A native client may come back to any port on loopback (RFC 8252):
      // the tests start zkmq on ports of their own.
      application_type: "native",
      redirect_uris: ["http://127.0.0.1/auth/oidc/callback", "http://localhost/auth/oidc/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  scopes: ["openid", "profile", "email", "groups"],
  claims: {
    openid: ["sub"],
    profile: ["preferred_username", "name"],
    email: ["email"],
    groups: ["groups"],
  },
  // The claims go into the ID token, where zkmq reads them.
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: id,
          email: `${id}@sandbox.invalid`,
          groups: GROUPS[id] ?? [],
        };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
});

// The library warns about its development-only keys and pages: expected here.
provider.listen(port, host, () => {
  console.log(`oidc-provider listening on ${issuer} (discovery ${issuer}/.well-known/openid-configuration)`);
});
