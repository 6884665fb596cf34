package com.example.budget;

import com.plaid.client.model.CountryCode;
import com.plaid.client.model.LinkTokenCreateRequest;
import com.plaid.client.model.LinkTokenCreateRequestUser;
import com.plaid.client.model.LinkTokenCreateResponse;
import com.plaid.client.model.Products;
import com.plaid.client.request.PlaidApi;
import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import retrofit2.Response;

@RestController
public class LinkController {
  // Which Plaid calls are logged with their request_id.
  private static final Map<String, Boolean> LOGGED = Map.of("linkTokenCreate", true, "itemPublicTokenExchange", true);

  private final PlaidApi plaidClient;
  private final AccountRepository accounts;

  public LinkController(PlaidApi plaidClient, AccountRepository accounts) {
    this.plaidClient = plaidClient;
    this.accounts = accounts;
  }

  @PostMapping("/api/link-token")
  public ResponseEntity<Map<String, String>> linkToken(Principal principal) throws IOException {
    Account account = accounts.findByEmail(principal.getName());
    LinkTokenCreateRequestUser user = new LinkTokenCreateRequestUser()
        .clientUserId(account.getId().toString());

    List<Products> products = List.of(Products.TRANSACTIONS);
    List<CountryCode> countries = List.of(CountryCode.US);

    LinkTokenCreateRequest request = new LinkTokenCreateRequest()
        .user(user)
        .clientName("Budget")
        .products(products)
        .countryCodes(countries)
        .language("en");

    try {
      Response<LinkTokenCreateResponse> response = plaidClient.linkTokenCreate(request).execute();
      if (LOGGED.get("linkTokenCreate")) {
        System.out.println(response.body().getRequestId());
      }
      return ResponseEntity.ok(Map.of("link_token", response.body().getLinkToken()));
    } catch (IOException e) {
      return ResponseEntity.status(502).build();
    }
  }
}
