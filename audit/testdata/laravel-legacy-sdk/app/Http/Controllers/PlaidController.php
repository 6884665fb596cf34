<?php

namespace App\Http\Controllers;

use Illuminate\Http\Request;
use TomorrowIdeas\Plaid\Plaid;

class PlaidController extends Controller
{
    private function plaid(): Plaid
    {
        return new Plaid(config('plaid.client_id'), config('plaid.secret'), config('plaid.environment'));
    }

    public function exchange(Request $request)
    {
        $result = $this->plaid()->items->exchangeToken($request->input('public_token'));
        $request->user()->update(['plaid_access_token' => $result->access_token]);
        return back();
    }

    public function reconnect(Request $request)
    {
        // A public_token for the Item, to open Link in update mode.
        $result = $this->plaid()->items->createPublicToken($request->user()->plaid_access_token);
        return view('plaid.link', ['publicToken' => $result->public_token]);
    }
}
