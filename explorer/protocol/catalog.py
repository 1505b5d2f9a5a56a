"""Interfaces -> services -> methods -> parameters, merged from the server and the bundled catalogue.

Every node records where it came from (`server`, `catalogue` or `user`) so that a UI can show what the
server really listed apart from what we only know from the bundled facts. A server answer is data: a node of
an unexpected shape is skipped with a warning on its interface, never an exception, and the rest is kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator, Literal

from .server_values import json_kind, note, printable, shown, usable_name

Source = Literal["server", "catalogue", "user"]
GENERATIONS = ("v1", "v2")


@dataclass
class Parameter:
    name: str
    type: str = "json"  # string | number | flag | json | file
    required: bool = False
    example: Any = None


@dataclass
class Method:
    name: str
    parameters: list[Parameter] = field(default_factory=list)
    result: str | None = None
    streams: bool = False  # can answer application/x-ndjson
    binary: bool = False  # can answer a non-JSON body
    description: str = ""
    source: Source = "catalogue"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


@dataclass
class Service:
    name: str
    source: Source = "catalogue"


@dataclass
class Interface:
    name: str
    source: Source = "catalogue"
    services: dict[str, Service] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    default_service: str | None = None
    recommended_service: str | None = None  # works on a bare install where the default may not
    description: str = ""
    error: str | None = None  # why the server's own list could not be used for this interface
    warnings: list[str] = field(default_factory=list)  # what the server described oddly, and was skipped

    def warn(self, message: str) -> None:
        note(self.warnings, message)

    @property
    def preferred_service(self) -> str | None:
        """The service to preselect: the recommended one, else the server's default."""
        return self.recommended_service or self.default_service


@dataclass
class Catalog:
    interfaces: dict[str, Interface] = field(default_factory=dict)
    generation: str | None = None  # "v1", "v2", or None while unknown
    errors: list[str] = field(default_factory=list)  # what went wrong during discovery, for the user

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def bundled(cls, generation: str | None = None) -> Catalog:
        """The bundled facts. With a generation, only what exists in that generation."""
        data = _bundled_data()
        catalog = cls(generation=generation)
        for iname, idata in data["interfaces"].items():
            if generation and generation not in idata["generations"]:
                continue
            gens = [generation] if generation else _newest_first(idata["generations"])
            iface = Interface(
                name=iname,
                default_service=idata["default"].get(gens[0]),
                recommended_service=idata.get("recommended", {}).get(gens[0]),
            )
            for sname, sgens in idata["services"].items():
                if not generation or generation in sgens:
                    iface.services[sname] = Service(sname)
            for mname, mdata in idata["methods"].items():
                if generation and generation not in mdata["generations"]:
                    continue
                params = [
                    Parameter(
                        name=p["name"],
                        type=p.get("type") or "json",
                        required=any(g in p["required_in"] for g in gens),
                        example=p.get("example"),
                    )
                    for p in mdata["params"]
                    if not generation or generation in p["generations"]
                ]
                iface.methods[mname] = Method(
                    name=mname,
                    parameters=params,
                    result=mdata.get("result"),
                    streams=mdata.get("streams", False),
                    binary=mdata.get("binary", False),
                )
            catalog.interfaces[iname] = iface
        return catalog

    def merge_list_interfaces(self, data: Any) -> None:
        """Merge a v2 `GET /drivers/list-interfaces` answer: `{iface: {drivers: [...], default}}`.

        A node of another shape is skipped with a warning on its interface; everything valid is kept.
        """
        if not isinstance(data, dict):
            raise ValueError("list-interfaces did not answer a JSON object")
        for iname, idata in data.items():
            iface = self._listed_interface(iname, idata, "GET /drivers/list-interfaces")
            if iface is None:
                continue
            drivers = idata.get("drivers")
            if isinstance(drivers, list):
                for sname in drivers:
                    if usable_name(sname):
                        self._server_service(iface, sname)
                    else:
                        iface.warn(f"skipped a driver that is not a name: {shown(sname)}")
            elif drivers is not None:
                iface.warn(f"drivers is {json_kind(drivers)}, not a list: ignored")
            default = idata.get("default")
            if usable_name(default):
                self._server_service(iface, default)
                iface.default_service = default
            elif default is not None:
                iface.warn(f"default is not a name ({shown(default)}): ignored")

    def merge_lsmod(self, data: Any) -> None:
        """Merge a `/lsmod` answer. v1 has `spec` (methods, parameter types); v2 only implementors.

        A node of another shape is skipped with a warning on its interface; everything valid is kept.
        """
        if not isinstance(data, dict) or not isinstance(data.get("interfaces"), dict):
            raise ValueError("lsmod did not answer {interfaces: {...}}")
        for iname, idata in data["interfaces"].items():
            iface = self._listed_interface(iname, idata, "GET /lsmod")
            if iface is None:
                continue
            self._merge_implementors(iface, idata.get("implementors"))
            spec = idata.get("spec")
            if spec is None:
                continue
            if not isinstance(spec, dict):
                iface.warn(f"spec is {json_kind(spec)}, not an object: ignored")
                continue
            description = spec.get("description")
            if isinstance(description, str):
                iface.description = printable(description)
            elif description is not None:
                iface.warn(f"description is {json_kind(description)}, not a string: ignored")
            methods = spec.get("methods")
            if isinstance(methods, dict):
                for mname, mdata in methods.items():
                    method = _spec_method(iface, mname, mdata)
                    if method is not None:
                        iface.methods[method.name] = method
            elif methods is not None:
                iface.warn(f"methods is {json_kind(methods)}, not an object: ignored")

    def mark_error(self, message: str) -> None:
        """Discovery failed: keep what the catalogue knows, and say why on every interface."""
        self.errors.append(message)
        for iface in self.interfaces.values():
            if iface.source != "server":
                iface.error = message

    # -- user additions -------------------------------------------------------------------------

    def add_user_method(self, interface: str, method: str, service: str | None = None) -> Method:
        iface = self.interfaces.get(interface)
        if iface is None:
            iface = self.interfaces[interface] = Interface(name=interface, source="user")
        if service and service not in iface.services:
            iface.services[service] = Service(service, source="user")
        if iface.default_service is None and service:
            iface.default_service = service
        found = iface.methods.get(method)
        if found is None:
            found = iface.methods[method] = Method(name=method, source="user")
        return found

    # -- reading --------------------------------------------------------------------------------

    def method(self, interface: str, method: str) -> Method | None:
        iface = self.interfaces.get(interface)
        return iface.methods.get(method) if iface else None

    def iter_methods(self) -> Iterator[tuple[Interface, Method]]:
        for iface in self.interfaces.values():
            for method in iface.methods.values():
                yield iface, method

    def to_json(self) -> dict[str, Any]:
        """A plain-data view (for `interfaces --json`)."""
        return {
            "generation": self.generation,
            "errors": list(self.errors),
            "interfaces": {
                iface.name: {
                    "source": iface.source,
                    "default": iface.default_service,
                    "error": iface.error,
                    "warnings": list(iface.warnings),
                    "services": {s.name: {"source": s.source} for s in iface.services.values()},
                    "methods": {
                        m.name: {
                            "source": m.source,
                            "result": m.result,
                            "streams": m.streams,
                            "binary": m.binary,
                            "parameters": [
                                {"name": p.name, "type": p.type, "required": p.required} for p in m.parameters
                            ],
                        }
                        for m in iface.methods.values()
                    },
                }
                for iface in self.interfaces.values()
            },
        }

    # -- internals ------------------------------------------------------------------------------

    def _listed_interface(self, name: Any, data: Any, source: str) -> Interface | None:
        """The interface a server answer names, if the name is usable; None when its entry says nothing more."""
        if not usable_name(name):
            note(self.errors, f"{source}: skipped an interface with an unusable name: {shown(name)}")
            return None
        iface = self._server_interface(name)
        if isinstance(data, dict):
            return iface
        iface.warn(f"the server described it as {json_kind(data)}, not an object: only its name is used")
        return None

    def _merge_implementors(self, iface: Interface, implementors: Any) -> None:
        """`{service: {isDefault?}}`."""
        if implementors is None:
            return
        if not isinstance(implementors, dict):
            iface.warn(f"implementors is {json_kind(implementors)}, not an object: ignored")
            return
        for sname, sdata in implementors.items():
            if not usable_name(sname):
                iface.warn(f"skipped an implementor that is not a name: {shown(sname)}")
                continue
            self._server_service(iface, sname)
            if not isinstance(sdata, dict):
                iface.warn(f"implementor {shown(sname)} is {json_kind(sdata)}, not an object")
                continue
            is_default = sdata.get("isDefault")
            if is_default is True:
                iface.default_service = sname
            elif is_default is not None and not isinstance(is_default, bool):
                iface.warn(f"isDefault of {shown(sname)} is {json_kind(is_default)}, not true or false: ignored")

    def _server_interface(self, name: str) -> Interface:
        iface = self.interfaces.get(name)
        if iface is None:
            iface = self.interfaces[name] = Interface(name=name)
        iface.source = "server"
        iface.error = None
        return iface

    @staticmethod
    def _server_service(iface: Interface, name: str) -> None:
        service = iface.services.get(name)
        if service is None:
            iface.services[name] = Service(name, source="server")
        else:
            service.source = "server"


def _spec_method(iface: Interface, name: Any, data: Any) -> Method | None:
    """A method of a v1 spec, `{description?, parameters: {name: {type}}}`, with what we know filled in."""
    if not usable_name(name):
        iface.warn(f"skipped a method that is not a name: {shown(name)}")
        return None
    if not isinstance(data, dict):
        iface.warn(f"method {shown(name)} is {json_kind(data)}, not an object: skipped")
        return None
    known = iface.methods.get(name)
    method = Method(name=name, source="server")
    if known:
        method.result, method.streams, method.binary = known.result, known.streams, known.binary
    description = data.get("description")
    if isinstance(description, str):
        method.description = printable(description)
    elif description is not None:
        iface.warn(f"the description of method {shown(name)} is {json_kind(description)}, not a string: ignored")
    parameters = data.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        iface.warn(f"the parameters of method {shown(name)} are {json_kind(parameters)}, not an object: "
                   "the known ones are kept")
        parameters = {p.name: {"type": p.type} for p in known.parameters} if known else None
    for pname, pdata in (parameters or {}).items():
        if not usable_name(pname):
            iface.warn(f"skipped a parameter of method {shown(name)} that is not a name: {shown(pname)}")
            continue
        # The v1 serializer drops `optional`; required-ness comes from what we know.
        known_param = known.parameter(pname) if known else None
        ptype = pdata.get("type") if isinstance(pdata, dict) else None
        if ptype is not None and not usable_name(ptype):
            iface.warn(f"the type of parameter {shown(pname)} of method {shown(name)} is not a name: {shown(ptype)}")
            ptype = None
        elif not isinstance(pdata, dict):
            iface.warn(f"parameter {shown(pname)} of method {shown(name)} is {json_kind(pdata)}, not an object")
        method.parameters.append(
            Parameter(
                name=pname,
                type=ptype or (known_param.type if known_param else "json"),
                required=known_param.required if known_param else False,
                example=known_param.example if known_param else None,
            )
        )
    return method


def template_args(method: Method) -> tuple[dict[str, Any], list[Parameter]]:
    """Args to start from: required parameters with typed placeholders; the optional ones apart."""
    required = {p.name: p.example for p in method.parameters if p.required}
    optional = [p for p in method.parameters if not p.required]
    return required, optional


def has_recommendation(interface: str) -> bool:
    """Whether the catalogue recommends, in some generation, a service other than the server's default:
    only then does a caller need the server's generation (discovery) to pick the service."""
    idata = _bundled_data()["interfaces"].get(interface)
    return bool(idata and idata.get("recommended"))


def missing_required(method: Method, args: Any) -> list[str]:
    if not isinstance(args, dict):
        return [p.name for p in method.parameters if p.required]
    return [p.name for p in method.parameters if p.required and p.name not in args]


def _newest_first(generations: list[str]) -> list[str]:
    return sorted(generations, reverse=True)


@lru_cache(maxsize=1)
def _bundled_data() -> dict[str, Any]:
    text = resources.files("explorer.protocol").joinpath("catalogue.json").read_text(encoding="utf-8")
    return json.loads(text)
