let handler = null;

async function newLinkToken() {
  const res = await fetch("/link-token", { method: "POST", credentials: "same-origin" });
  const body = await res.json();
  return body.link_token;
}

function startLink(token) {
  handler = Plaid.create({
    token,
    onSuccess: (publicToken) => {
      fetch("/items", { method: "POST", body: JSON.stringify({ publicToken }) });
    },
    onExit: async (err) => {
      if (err && err.error_code === "INVALID_LINK_TOKEN") {
        handler.destroy();
        startLink(await newLinkToken());
      }
    },
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  startLink(await newLinkToken());
  document.querySelector("#connect").addEventListener("click", () => handler.open());
});
