#!/usr/bin/python3
"""
A SAML 2.0 service provider made of python3-saml (OneLogin's toolkit, Debian's
python3-onelogin-saml2), driven one step at a time by the interop tests: one JSON object on
stdin, one JSON object on stdout.

The settings are what a vendor writes for the toolkit: the IdP part parsed from Lanyard's
metadata by `OneLogin_Saml2_IdPMetadataParser`, the SP's entity ID, ACS and SLO URLs, key and
certificate, and strict security (strict mode, signed assertions and messages wanted, signed
AuthnRequests and logout messages, SHA-256). No web framework: the toolkit's classes are used
directly, with the `request_data` dict the toolkit documents for that ({https, http_host,
script_name, get_data, post_data}), built from the URL the message was delivered to.

Commands (`command` in the input):

- `metadata`: Lanyard's IdP metadata checked against the SAML metadata schema the toolkit ships,
  and what `OneLogin_Saml2_IdPMetadataParser` reads from it;
- `authn-request`: `OneLogin_Saml2_Authn_Request`, signed for the Redirect binding;
- `acs`: `OneLogin_Saml2_Response.is_valid` with the request ID (strict checks and signatures);
- `logout-request`: `OneLogin_Saml2_Logout_Request` for the NameID and SessionIndex, signed;
- `logout-response`: the IdP's LogoutResponse (Redirect binding): query signature, then
  `OneLogin_Saml2_Logout_Response.is_valid` with the request ID, and its status;
- `logout-request-received`: a LogoutRequest from the IdP (Redirect binding): query signature,
  `OneLogin_Saml2_Logout_Request.is_valid`, answered with a signed `OneLogin_Saml2_Logout_Response`.

A check the toolkit refuses comes back as `{"ok": false, "errorType": ..., "error": ...}`.
"""
import json
import sys
import traceback
from urllib.parse import urlsplit

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.logout_response import OneLogin_Saml2_Logout_Response
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML


class Refused(Exception):
    """A message the toolkit did not accept."""


def pem_body(path, kind):
    text = open(path).read()
    return ''.join(line for line in text.splitlines() if line and 'BEGIN' not in line and 'END' not in line) if kind == 'cert' else text


def settings_of(settings):
    idp = OneLogin_Saml2_IdPMetadataParser.parse(
        settings['idpMetadata'],
        required_sso_binding=C.BINDING_HTTP_REDIRECT,
        required_slo_binding=C.BINDING_HTTP_REDIRECT,
    )
    sp = {
        'strict': True,
        'debug': False,
        'sp': {
            'entityId': settings['spEntityId'],
            'assertionConsumerService': {'url': settings['acsUrl'], 'binding': C.BINDING_HTTP_POST},
            'singleLogoutService': {'url': settings['sloUrl'], 'binding': C.BINDING_HTTP_REDIRECT},
            'NameIDFormat': C.NAMEID_EMAIL_ADDRESS,
            'x509cert': pem_body(settings['certFile'], 'cert'),
            'privateKey': pem_body(settings['keyFile'], 'key'),
        },
        'security': {
            'authnRequestsSigned': bool(settings.get('signRequests', True)),
            'logoutRequestSigned': True,
            'logoutResponseSigned': True,
            'wantMessagesSigned': True,
            'wantAssertionsSigned': True,
            'wantNameId': True,
            'wantAttributeStatement': True,
            'wantAssertionsEncrypted': False,
            'rejectDeprecatedAlgorithm': True,
            'signatureAlgorithm': C.RSA_SHA256,
            'digestAlgorithm': C.SHA256,
            'requestedAuthnContext': True,
        },
    }
    merged = OneLogin_Saml2_IdPMetadataParser.merge_settings(sp, idp)
    # merge_settings takes the IdP metadata's first NameIDFormat for the SP; this SP wants emailAddress.
    merged['sp']['NameIDFormat'] = C.NAMEID_EMAIL_ADDRESS
    return OneLogin_Saml2_Settings(merged, sp_validation_only=False)


def request_data(url, get_data=None, post_data=None):
    """The toolkit's description of the HTTP request that delivered a message to `url`."""
    parts = urlsplit(url)
    return {
        'https': 'on' if parts.scheme == 'https' else 'off',
        'http_host': parts.netloc,
        'script_name': parts.path,
        'get_data': get_data or {},
        'post_data': post_data or {},
    }


def auth_for(settings, data):
    """The toolkit's signer and checker of query signatures (`add_*_signature`, `validate_*_signature`)."""
    return OneLogin_Saml2_Auth(data, settings)


def metadata(config, settings):
    checked = OneLogin_Saml2_XML.validate_xml(settings['idpMetadata'], 'saml-schema-metadata-2.0.xsd', False)
    if isinstance(checked, str):
        raise Refused('the metadata does not match saml-schema-metadata-2.0.xsd: %s' % checked)
    return {'ok': True, **OneLogin_Saml2_IdPMetadataParser.parse(settings['idpMetadata'])}


def authn_request(config, settings):
    request = OneLogin_Saml2_Authn_Request(config)
    parameters = {'SAMLRequest': request.get_request(), 'RelayState': settings.get('relayState', '')}
    if config.get_security_data()['authnRequestsSigned']:
        auth_for(config, request_data(settings['acsUrl'])).add_request_signature(parameters, C.RSA_SHA256)
    url = OneLogin_Saml2_Utils.redirect(config.get_idp_sso_url(), parameters)
    return {'ok': True, 'requestId': request.get_id(), 'binding': 'redirect', 'url': url, 'xml': request.get_xml()}


def acs(config, settings):
    data = request_data(settings['acsUrl'], post_data={'SAMLResponse': settings['samlResponse']})
    response = OneLogin_Saml2_Response(config, settings['samlResponse'])
    try:
        response.is_valid(data, settings.get('requestId'), raise_exceptions=True)
    except Exception as error:
        raise Refused('%s: %s' % (type(error).__name__, error))
    return {
        'ok': True,
        'issuers': response.get_issuers(),
        'audiences': response.get_audiences(),
        'inResponseTo': response.get_in_response_to(),
        'nameId': response.get_nameid(),
        'nameIdFormat': response.get_nameid_format(),
        'sessionIndex': response.get_session_index(),
        'authnContexts': response.get_authn_contexts(),
        'attributes': response.get_attributes(),
        'assertionId': response.get_assertion_id(),
    }


def logout_request(config, settings):
    request = OneLogin_Saml2_Logout_Request(
        config, name_id=settings['nameId'], session_index=settings.get('sessionIndex'), name_id_format=settings.get('nameIdFormat'),
    )
    parameters = {'SAMLRequest': request.get_request(), 'RelayState': settings.get('relayState', settings['sloUrl'])}
    auth_for(config, request_data(settings['sloUrl'])).add_request_signature(parameters, C.RSA_SHA256)
    url = OneLogin_Saml2_Utils.redirect(config.get_idp_slo_url(), parameters)
    return {'ok': True, 'requestId': request.id, 'binding': 'redirect', 'url': url, 'xml': request.get_xml()}


def logout_response(config, settings):
    query = settings['query']
    data = request_data(settings['sloUrl'], get_data=query)
    if not auth_for(config, data).validate_response_signature(query):
        raise Refused('the LogoutResponse signature is missing or does not verify')
    response = OneLogin_Saml2_Logout_Response(config, query['SAMLResponse'])
    try:
        response.is_valid(data, settings.get('requestId'), raise_exceptions=True)
    except Exception as error:
        raise Refused('%s: %s' % (type(error).__name__, error))
    return {
        'ok': True,
        'status': response.get_status(),
        'inResponseTo': response.get_in_response_to(),
        'issuer': response.get_issuer(),
        'relayState': query.get('RelayState'),
    }


def logout_request_received(config, settings):
    query = settings['query']
    data = request_data(settings['sloUrl'], get_data=query)
    if not auth_for(config, data).validate_request_signature(query):
        raise Refused('the LogoutRequest signature is missing or does not verify')
    request = OneLogin_Saml2_Logout_Request(config, query['SAMLRequest'])
    try:
        request.is_valid(data, raise_exceptions=True)
    except Exception as error:
        raise Refused('%s: %s' % (type(error).__name__, error))
    xml = request.get_xml()
    # The subject must be the one signed in here; otherwise the SP answers that it does not know them.
    name_id = OneLogin_Saml2_Logout_Request.get_nameid(xml)
    indexes = OneLogin_Saml2_Logout_Request.get_session_indexes(xml)
    known = name_id == settings['nameId'] and (not indexes or settings.get('sessionIndex') in indexes)
    builder = OneLogin_Saml2_Logout_Response(config)
    builder.build(OneLogin_Saml2_Logout_Request.get_id(xml))
    if not known:
        raise Refused('the LogoutRequest names %s / %s, not the signed-in subject' % (name_id, indexes))
    parameters = {'SAMLResponse': builder.get_response()}
    if 'RelayState' in query:
        parameters['RelayState'] = query['RelayState']
    auth_for(config, data).add_response_signature(parameters, C.RSA_SHA256)
    url = OneLogin_Saml2_Utils.redirect(config.get_idp_slo_response_url(), parameters)
    return {
        'ok': True,
        'requestId': OneLogin_Saml2_Logout_Request.get_id(xml),
        'issuer': OneLogin_Saml2_Logout_Request.get_issuer(xml),
        'nameId': name_id,
        'nameIdFormat': OneLogin_Saml2_Logout_Request.get_nameid_format(xml),
        'sessionIndexes': indexes,
        'binding': 'redirect',
        'url': url,
    }


COMMANDS = {
    'metadata': metadata,
    'authn-request': authn_request,
    'acs': acs,
    'logout-request': logout_request,
    'logout-response': logout_response,
    'logout-request-received': logout_request_received,
}


def main():
    settings = json.load(sys.stdin)
    command = COMMANDS[settings['command']]
    config = settings_of(settings)
    try:
        result = command(config, settings)
    except Refused as error:
        result = {'ok': False, 'errorType': 'Refused', 'error': str(error)}
    json.dump(result, sys.stdout, default=str)


if __name__ == '__main__':
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(2)
