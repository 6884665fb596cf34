import { json, error } from '@sveltejs/kit';
import { CountryCode, Products } from 'plaid';
import { plaid } from '$lib/server/plaid';

export async function POST({ locals }) {
	if (!locals.user) throw error(401, 'sign in first');
	const res = await plaid.linkTokenCreate({
		user: { client_user_id: locals.user.id },
		client_name: 'Spendwise',
		products: [Products.Transactions],
		country_codes: [CountryCode.Us],
		language: 'en'
	});
	return json({ link_token: res.data.link_token });
}
