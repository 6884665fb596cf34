// Build output: the audit never reads dist.
var h = Plaid.create({ key: 'x', env: 'sandbox', product: ['auth'] });
