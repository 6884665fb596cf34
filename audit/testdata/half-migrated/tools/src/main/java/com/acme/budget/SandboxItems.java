package com.acme.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Creates Sandbox Items for the integration tests. */
public final class SandboxItems {
  private static final String PLAID_URL = "https://sandbox.plaid.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String publicKey = System.getenv("PLAID_PUBLIC_KEY");

  /** Returns a Sandbox public_token for the institution. */
  public String publicToken(String institutionId) throws IOException, InterruptedException {
    Map<String, Object> body = Map.of(
        "institution_id", institutionId,
        "initial_products", List.of("transactions"),
        "public_key", publicKey);
    HttpRequest request = HttpRequest.newBuilder(URI.create(PLAID_URL + "/sandbox/public_token/create"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return (String) JSON.readValue(response.body(), Map.class).get("public_token");
  }
}
