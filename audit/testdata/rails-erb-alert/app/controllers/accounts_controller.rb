class AccountsController < ApplicationController
  before_action :authenticate_user!

  def new
    @link_token = PlaidLinkService.new(current_user).link_token
  end

  def repair
    item = current_user.items.find(params[:id])
    @link_token = PlaidLinkService.new(current_user, item: item).link_token
    render :new
  end
end
