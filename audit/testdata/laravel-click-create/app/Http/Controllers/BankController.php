<?php

namespace App\Http\Controllers;

use App\Services\PlaidService;
use Illuminate\Http\Request;

class BankController extends Controller
{
    public function token(Request $request, PlaidService $plaid)
    {
        return response()->json(['link_token' => $plaid->linkToken($request->user())['link_token']]);
    }
}
