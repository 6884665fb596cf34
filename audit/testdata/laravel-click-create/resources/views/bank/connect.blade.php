@extends('layouts.app')

@section('content')
<button id="connect-bank" class="btn btn-primary">Connect bank</button>
@endsection

@push('scripts')
<script src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"></script>
<script>
  document.getElementById('connect-bank').addEventListener('click', function () {
    fetch('{{ route('bank.token') }}', { method: 'POST', headers: { 'X-CSRF-TOKEN': '{{ csrf_token() }}' } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var handler = Plaid.create({
          token: data.link_token,
          onSuccess: function (public_token) {
            window.location = '{{ route('bank.store') }}?public_token=' + public_token;
          },
          onExit: function (err) {
            if (err) { console.warn(err); }
          }
        });
        handler.open();
      });
  });
</script>
@endpush
