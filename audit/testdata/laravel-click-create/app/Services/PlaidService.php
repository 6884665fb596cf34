<?php

namespace App\Services;

use App\Models\User;
use Illuminate\Support\Facades\Http;

class PlaidService
{
    private function url(string $path): string
    {
        return 'https://' . config('services.plaid.env') . '.plaid.com' . $path;
    }

    public function linkToken(User $user): array
    {
        return Http::post($this->url('/link/token/create'), [
            'client_id' => config('services.plaid.client_id'),
            'secret' => config('services.plaid.secret'),
            'client_name' => config('app.name'),
            'country_codes' => ['US'],
            'language' => 'en',
            'products' => ['auth'],
            'user' => ['client_user_id' => (string) $user->id],
        ])->throw()->json();
    }
}
