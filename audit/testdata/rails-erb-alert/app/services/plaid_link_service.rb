class PlaidLinkService
  def initialize(user, item: nil)
    @user = user
    @item = item
  end

  def link_token
    request = Plaid::LinkTokenCreateRequest.new(
      user: { client_user_id: @user.id.to_s },
      client_name: 'Budget Buddy',
      country_codes: ['US'],
      language: 'en'
    )
    if @item
      request.access_token = @item.access_token
    else
      request.products = ['transactions']
    end
    client.link_token_create(request).link_token
  end

  private

  def client
    configuration = Plaid::Configuration.new
    configuration.server_index = Plaid::Configuration::Environment['sandbox']
    configuration.api_key['PLAID-CLIENT-ID'] = ENV['PLAID_CLIENT_ID']
    configuration.api_key['PLAID-SECRET'] = ENV['PLAID_SECRET']
    Plaid::PlaidApi.new(Plaid::ApiClient.new(configuration))
  end
end
