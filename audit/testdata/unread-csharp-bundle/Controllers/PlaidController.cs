using Microsoft.AspNetCore.Mvc;

namespace Ledger.Controllers;

[ApiController]
[Route("api/plaid")]
public class PlaidController : ControllerBase
{
    private readonly IPlaidHttp _plaid;

    public PlaidController(IPlaidHttp plaid) => _plaid = plaid;

    [HttpPost("link-token")]
    public async Task<IActionResult> LinkToken()
    {
        var body = new { client_name = "Ledger", language = "en", country_codes = new[] { "US" },
                         products = new[] { "auth" }, user = new { client_user_id = User.Identity!.Name } };
        var result = await _plaid.PostAsync("/link/token/create", body);
        return Ok(result);
    }
}
