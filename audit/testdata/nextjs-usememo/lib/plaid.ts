import { Configuration, CountryCode, LinkTokenCreateRequest, PlaidApi, PlaidEnvironments, Products } from "plaid";

export const plaidClient = new PlaidApi(
  new Configuration({
    basePath: PlaidEnvironments.sandbox,
    baseOptions: { headers: { "PLAID-CLIENT-ID": process.env.PLAID_CLIENT_ID!, "PLAID-SECRET": process.env.PLAID_SECRET! } },
  })
);

export function linkTokenRequestFor(userId: string, accessToken?: string): LinkTokenCreateRequest {
  const request: LinkTokenCreateRequest = {
    user: { client_user_id: userId },
    client_name: "Cashflow",
    language: "en",
    country_codes: [CountryCode.Us],
  };
  if (accessToken) {
    request.access_token = accessToken;
  } else {
    request.products = [Products.Transactions];
  }
  return request;
}
