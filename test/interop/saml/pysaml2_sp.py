#!/usr/bin/python3
"""
A SAML 2.0 service provider made of pysaml2 (Debian's python3-pysaml2), driven one step at a
time by the interop tests: one JSON object on stdin, one JSON object on stdout.

Every step builds a `Saml2Client` from the same settings (the IdP metadata as Lanyard serves
it, the SP's entity ID, endpoints, key and certificate). What an SP keeps between requests is
kept where pysaml2 keeps it: the identity cache and the logout state are `shelve` files in
`stateDir`, passed to `Saml2Client(identity_cache=..., state_cache=...)`; the outstanding
AuthnRequests (pysaml2 leaves them to the caller) come back in the input as `outstanding`.

Commands (`command` in the input):

- `authn-request`: an AuthnRequest for the Redirect or POST binding, signed or not;
- `acs`: a SAMLResponse checked by `parse_authn_request_response` (signatures against the
  metadata certificate, audience, InResponseTo against `outstanding`, times, destination);
- `logout-request`: `global_logout` for the NameID signed in earlier: a signed LogoutRequest;
- `logout-response`: the IdP's LogoutResponse, its signature checked, then
  `handle_logout_response` (which ends the local session when it is the last answer);
- `logout-request-received`: a LogoutRequest from the IdP (this SP takes part in single logout),
  its signature checked, answered by `handle_logout_request`.

A check the library refuses comes back as `{"ok": false, "errorType": ..., "error": ...}`;
anything else that fails is an error exit with the traceback on stderr.
"""
import base64
import json
import os
import re
import shelve
import sys
import traceback
from html import unescape
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.ident import code, decode
from saml2.s_utils import decode_base64_and_inflate as decode_message
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

BINDINGS = {'redirect': BINDING_HTTP_REDIRECT, 'post': BINDING_HTTP_POST}


def sp_config(settings):
    """The SP's configuration, as one would write it for a real deployment."""
    slo = settings.get('sloUrl')
    logout_binding = BINDINGS[settings.get('logoutBinding', 'post')]
    endpoints = {'assertion_consumer_service': [(settings['acsUrl'], BINDING_HTTP_POST)]}
    if slo:
        endpoints['single_logout_service'] = [(slo, BINDING_HTTP_POST), (slo, BINDING_HTTP_REDIRECT)]
    config = {
        'entityid': settings['spEntityId'],
        'metadata': {'inline': [settings['idpMetadata']]},
        'service': {
            'sp': {
                'endpoints': endpoints,
                'allow_unsolicited': bool(settings.get('allowUnsolicited', False)),
                'authn_requests_signed': bool(settings.get('signRequests', False)),
                'logout_requests_signed': True,
                'logout_responses_signed': True,
                'want_assertions_signed': bool(settings.get('wantAssertionsSigned', True)),
                'want_response_signed': bool(settings.get('wantResponseSigned', True)),
                'name_id_format': [NAMEID_FORMAT_EMAILADDRESS],
                'name_id_format_allow_create': False,
                'only_use_keys_in_metadata': True,
            },
        },
        'preferred_binding': {'single_logout_service': [logout_binding]},
        'key_file': settings['keyFile'],
        'cert_file': settings['certFile'],
        'signing_algorithm': SIG_RSA_SHA256,
        'digest_algorithm': DIGEST_SHA256,
        'allow_unknown_attributes': True,
        'xmlsec_binary': '/usr/bin/xmlsec1',
    }
    if settings.get('decrypt'):
        config['encryption_keypairs'] = [{'key_file': settings['keyFile'], 'cert_file': settings['certFile']}]
    conf = SPConfig()
    conf.load(config)
    return conf


def form_fields(html):
    """The hidden inputs of pysaml2's auto-submitting form."""
    fields = {}
    for match in re.finditer(r'<input\b[^>]*>', html):
        tag = match.group(0)
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ''
    return fields


def message_out(binding, info):
    """What the browser is sent: a redirect URL, or the URL and fields of a form."""
    if binding == BINDING_HTTP_REDIRECT:
        location = dict(info['headers'])['Location']
        return {'binding': 'redirect', 'url': location}
    action = re.search(r'action="([^"]*)"', info['data'])
    return {'binding': 'post', 'url': unescape(action.group(1)), 'fields': form_fields(info['data'])}


def decoded(message):
    return base64.b64decode(message).decode('utf-8')


def attributes_of(assertion):
    out = []
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            out.append({
                'name': attribute.name,
                'nameFormat': attribute.name_format,
                'values': [value.text for value in attribute.attribute_value],
            })
    return out


def authn_request(client, settings):
    binding = BINDINGS[settings['binding']]
    sign = bool(settings.get('sign', False))
    request_id, info = client.prepare_for_authenticate(
        relay_state=settings.get('relayState', ''), binding=binding, sign=sign,
        sigalg=SIG_RSA_SHA256 if sign else None, digest_alg=DIGEST_SHA256 if sign else None,
    )
    return {'ok': True, 'requestId': request_id, **message_out(binding, info)}


def acs(client, settings):
    outstanding = settings.get('outstanding') or {}
    response = client.parse_authn_request_response(settings['samlResponse'], BINDING_HTTP_POST, outstanding=outstanding)
    if response is None:
        return {'ok': False, 'errorType': 'None', 'error': 'pysaml2 returned no response'}
    assertion = response.assertion
    if assertion is None:  # pysaml2 could not decrypt an EncryptedAssertion (no key, or not ours)
        return {'ok': False, 'errorType': 'NoAssertion', 'error': 'pysaml2 found no assertion it could read'}
    subject = assertion.subject
    confirmation = subject.subject_confirmation[0].subject_confirmation_data
    info = response.session_info()
    return {
        'ok': True,
        'issuer': response.issuer(),
        'inResponseTo': response.in_response_to,
        'cameFrom': response.came_from,
        'nameId': response.name_id.text,
        'nameIdFormat': response.name_id.format,
        'nameIdCoded': code(response.name_id),
        'sessionIndex': info['session_index'],
        'authnContextClassRef': info['authn_info'][0][0],
        'audiences': [a.text for r in assertion.conditions.audience_restriction for a in r.audience],
        'recipient': confirmation.recipient,
        'destination': response.response.destination,
        'wasEncrypted': 'EncryptedAssertion' in decoded(settings['samlResponse']),
        'attributes': attributes_of(assertion),
        'ava': response.ava,
        'loggedIn': client.is_logged_in(response.name_id),
    }


def logout_request(client, settings):
    name_id = decode(settings['nameIdCoded'])
    before = set(client.state.keys())
    result = client.global_logout(name_id, reason='urn:oasis:names:tc:SAML:2.0:logout:user', sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    if len(result) != 1:
        return {'ok': False, 'errorType': 'LogoutError', 'error': 'expected one IdP to log out from, got %d' % len(result)}
    (entity_id, (binding, info)), = result.items()
    request_id, = set(client.state.keys()) - before
    return {'ok': True, 'idp': entity_id, 'requestId': request_id, **message_out(binding, info)}


def logout_response(client, settings):
    """The IdP's LogoutResponse: signature required (in the query or the XML), then pysaml2's checks."""
    binding = BINDINGS[settings['binding']]
    if binding == BINDING_HTTP_REDIRECT:
        query = settings['query']
        if 'Signature' not in query:
            return {'ok': False, 'errorType': 'SignatureError', 'error': 'the LogoutResponse is not signed'}
        cert = client.metadata.certs(settings['idpEntityId'], 'idpsso', 'signing')[0]
        if not verify_redirect_signature(query, client.sec.sec_backend, cert=cert):
            return {'ok': False, 'errorType': 'SignatureError', 'error': 'the LogoutResponse query signature does not verify'}
        message = query['SAMLResponse']
    else:
        message = settings['samlResponse']
        # pysaml2 checks a signature when one is there; the SP requires one.
        client.sec.correctly_signed_logout_response(decoded(message), must=True)
    response = client.parse_logout_request_response(message, binding)
    if response is None:
        return {'ok': False, 'errorType': 'None', 'error': 'pysaml2 did not accept the LogoutResponse'}
    name_id = decode(settings['nameIdCoded'])
    status = response.response.status.status_code.value
    client.handle_logout_response(response)
    return {
        'ok': True,
        'status': status,
        'inResponseTo': response.in_response_to,
        'issuer': response.issuer(),
        'destination': response.response.destination,
        'loggedIn': client.is_logged_in(name_id),
    }


def logout_request_received(client, settings):
    """A LogoutRequest from the IdP: signature required, then pysaml2 logs the subject out and answers."""
    binding = BINDINGS[settings['binding']]
    if binding == BINDING_HTTP_REDIRECT:
        query = settings['query']
        cert = client.metadata.certs(settings['idpEntityId'], 'idpsso', 'signing')[0]
        if 'Signature' not in query or not verify_redirect_signature(query, client.sec.sec_backend, cert=cert):
            return {'ok': False, 'errorType': 'SignatureError', 'error': 'the LogoutRequest query signature is missing or wrong'}
        message, relay_state = query['SAMLRequest'], query.get('RelayState', '')
    else:
        message, relay_state = settings['samlRequest'], settings.get('relayState', '')
        client.sec.correctly_signed_logout_request(decoded(message), must=True)
    request = client.parse_logout_request(message, binding)
    name_id = decode(settings['nameIdCoded'])
    received = request.message
    info = client.handle_logout_request(message, name_id, binding, sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, relay_state=relay_state)
    response_binding = BINDING_HTTP_REDIRECT if 'headers' in info and dict(info['headers']).get('Location') else BINDING_HTTP_POST
    out = message_out(response_binding, info)
    if response_binding == BINDING_HTTP_POST:
        answer = samlp.logout_response_from_string(decoded(out['fields']['SAMLResponse']))
    else:
        answer = samlp.logout_response_from_string(decode_message(parse_qs(urlsplit(out['url']).query)['SAMLResponse'][0]))
    return {
        'ok': True,
        'requestId': received.id,
        'nameId': received.name_id.text,
        'sessionIndexes': [s.text for s in received.session_index],
        'issuer': received.issuer.text,
        'destination': received.destination,
        'loggedIn': client.is_logged_in(name_id),
        'status': answer.status.status_code.value,
        **out,
    }


COMMANDS = {
    'authn-request': authn_request,
    'acs': acs,
    'logout-request': logout_request,
    'logout-response': logout_response,
    'logout-request-received': logout_request_received,
}


def main():
    settings = json.load(sys.stdin)
    command = COMMANDS[settings['command']]
    state_dir = settings['stateDir']
    os.makedirs(state_dir, exist_ok=True)
    state = shelve.open(os.path.join(state_dir, 'logout-state'), writeback=True)
    try:
        client = Saml2Client(sp_config(settings), identity_cache=os.path.join(state_dir, 'identities'), state_cache=state)
        try:
            result = command(client, settings)
        except Exception as error:  # a check pysaml2 refused: its exception's class and message
            if isinstance(error, (KeyError, TypeError, AttributeError, NameError)):
                raise
            result = {'ok': False, 'errorType': type(error).__name__, 'error': str(error)}
        cache = getattr(client.users.cache, '_db', None)
        if hasattr(cache, 'close'):
            cache.close()
    finally:
        state.close()
    json.dump(result, sys.stdout, default=str)


if __name__ == '__main__':
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(2)
