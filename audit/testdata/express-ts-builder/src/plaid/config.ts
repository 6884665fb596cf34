import { Configuration, CountryCode, LinkTokenCreateRequest, PlaidApi, PlaidEnvironments, Products } from "plaid";

export const plaidClient = new PlaidApi(
  new Configuration({
    basePath: PlaidEnvironments[process.env.PLAID_ENV ?? "sandbox"],
    baseOptions: { headers: { "PLAID-CLIENT-ID": process.env.PLAID_CLIENT_ID, "PLAID-SECRET": process.env.PLAID_SECRET } },
  })
);

// One place decides what every link_token asks for.
export const buildTokenRequest = (accountId: string, accessToken?: string): LinkTokenCreateRequest => {
  const base: LinkTokenCreateRequest = {
    user: { client_user_id: accountId },
    client_name: "Ledgerly",
    country_codes: [CountryCode.Us],
    language: "en",
    webhook: process.env.PLAID_WEBHOOK_URL,
  };
  if (accessToken) {
    return { ...base, access_token: accessToken };
  }
  return { ...base, products: [Products.Transactions] };
};
