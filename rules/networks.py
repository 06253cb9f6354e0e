"""The scanner's network settings, parsed once at start-up (config.py) so that a typo stops
the app with a message rather than letting a scan resolve through DNS or reach a network
nobody meant to open."""

import ipaddress


def parse_resolver_rules(text):
    """{host pattern: address} from Chromium's ``--host-resolver-rules`` syntax, of which the
    ``MAP host address`` rules are understood ("MAP site.test 127.0.0.1, MAP *.test 127.0.0.1");
    anything else raises ValueError."""
    rules = {}
    for rule in (part.strip() for part in (text or "").split(",")):
        if not rule:
            continue
        words = rule.split()
        if len(words) != 3 or words[0].upper() != "MAP":
            raise ValueError(f"unsupported host resolver rule: {rule!r} (expected MAP host address)")
        ipaddress.ip_address(words[2])
        rules[words[1].lower()] = words[2]
    return rules


def parse_networks(text):
    """(ip_network, …) from "127.0.0.1/32, 10.0.0.0/8"; ValueError on a bad one."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in (text or "").split(",") if part.strip())
