"""Sign-in through the force's identity provider (OpenID Connect): bearer JWTs verified against
its keys, the browser's authorization-code flow, and the person matched to our records."""
