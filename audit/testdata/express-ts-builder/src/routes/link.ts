import { Router } from "express";
import { plaidClient, buildTokenRequest } from "../plaid/config";
import { requireSession } from "../session";
import { findItem } from "../db";

// Counters per Plaid method, for the dashboard.
const callCounts: Record<string, number> = { linkTokenCreate: 0, itemPublicTokenExchange: 0 };

export const linkRouter = Router();

linkRouter.post("/link-token", requireSession, async (req, res, next) => {
  try {
    callCounts.linkTokenCreate++;
    const response = await plaidClient.linkTokenCreate(buildTokenRequest(req.session.accountId));
    res.json({ link_token: response.data.link_token });
  } catch (err) {
    next(err);
  }
});

linkRouter.post("/items/:id/link-token", requireSession, async (req, res, next) => {
  try {
    const item = await findItem(req.session.accountId, req.params.id);
    const response = await plaidClient.linkTokenCreate(buildTokenRequest(req.session.accountId, item.accessToken));
    res.json({ link_token: response.data.link_token });
  } catch (err) {
    next(err);
  }
});
