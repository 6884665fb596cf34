import { PlaidApi, LinkTokenCreateRequest } from "plaid";

export async function createLinkToken(client: PlaidApi, request: LinkTokenCreateRequest): Promise<string> {
  const response = await client.linkTokenCreate(request);
  return response.data.link_token;
}
