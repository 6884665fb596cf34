import { useCallback, useMemo } from "react";
import { usePlaidLink, PlaidLinkError } from "react-plaid-link";
import useSWR from "swr";

const post = (url: string) => fetch(url, { method: "POST" }).then((r) => r.json());

export function ConnectBank() {
  const { data, mutate } = useSWR("/api/plaid/link-token", post);

  const onSuccess = useCallback(async (publicToken: string) => {
    await fetch("/api/plaid/exchange", { method: "POST", body: JSON.stringify({ publicToken }) });
  }, []);

  const onExit = useCallback(
    (error: PlaidLinkError | null) => {
      if (error?.error_code === "INVALID_LINK_TOKEN") {
        mutate();
      }
    },
    [mutate]
  );

  const config = useMemo(
    () => ({ token: data?.link_token ?? null, onSuccess, onExit }),
    [data, onSuccess, onExit]
  );
  const { open, ready } = usePlaidLink(config);

  return (
    <button onClick={() => open()} disabled={!ready}>
      Connect a bank
    </button>
  );
}
