import type { NextApiRequest, NextApiResponse } from "next";
import { getServerSession } from "next-auth";
import { plaidClient, linkTokenRequestFor } from "../../../lib/plaid";
import { authOptions } from "../auth/[...nextauth]";

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions);
  if (!session) return res.status(401).end();
  const tokenRequest = linkTokenRequestFor(session.user.id, req.body?.accessToken);
  const { data } = await plaidClient.linkTokenCreate(tokenRequest);
  res.json({ link_token: data.link_token });
}
