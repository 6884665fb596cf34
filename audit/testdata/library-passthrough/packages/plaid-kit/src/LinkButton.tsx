import React from "react";
import { usePlaidLink, PlaidLinkOptions } from "react-plaid-link";

export interface LinkButtonProps {
  options: PlaidLinkOptions;
  label?: string;
}

export function LinkButton({ options, label = "Connect" }: LinkButtonProps) {
  const { open, ready } = usePlaidLink(options);
  return (
    <button disabled={!ready} onClick={() => open()}>
      {label}
    </button>
  );
}
