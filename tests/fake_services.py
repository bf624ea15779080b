"""A local HTTP server that answers like PDOK's OGC API Features, CBS's OData, Luchtmeetnet and SensorThings.

Routes map a path to a function returning (status, headers, body); the server counts the
requests per path so tests can see retries and cache hits. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[dict[str, list[str]], int], Answer]


class FakeServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.queries: list[dict[str, list[str]]] = []
        self.base_url = ""


def json_answer(document: object, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(document).encode()


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    state = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state.hits[parts.path] += 1
            state.queries.append(query)
            route = state.routes.get(parts.path)
            if route is None:
                self.send_error(404)
                return
            status, headers, body = route(query, state.hits[parts.path])
            declared = int(headers.pop("X-Declared-Length", len(body)))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(body)
            if declared != len(body):
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# --- Luchtmeetnet open API and OGC SensorThings (RIVM Samenmeten), in their documented formats -------------------


def luchtmeetnet_routes(
    server: FakeServer,
    stations: dict[str, tuple[str, float, float]],
    measurements: list[tuple[str, str, str, float]],
    *,
    page_size: int = 3,
    broken: Callable[[int, int], Answer | None] | None = None,
) -> None:
    """Answer ``/open_api/stations/{number}`` and ``/open_api/measurements`` like api.luchtmeetnet.nl.

    ``stations``: number -> (location name, lon, lat). ``measurements``: (station, formula, UTC time
    ``2016-06-01T00:00:00+00:00``, value). Pages hold ``page_size`` items with the ``pagination`` block;
    the ``end`` of a query is inclusive (as it may be on the real service). ``broken(page, hits)`` may
    return another answer for a page (a truncated body, an HTTP 504).
    """
    for number, (location, lon, lat) in stations.items():
        station = {
            "data": {
                "type": "Urban",
                "components": ["NO2", "PM10", "PM25"],
                "geometry": {"type": "point", "coordinates": [lon, lat]},
                "municipality": "Amsterdam",
                "url": "",
                "province": None,
                "organisation": "GGD Amsterdam",
                "location": location,
                "year_start": "1986",
                "description": {"NL": "", "EN": ""},
            }
        }
        server.routes[f"/open_api/stations/{number}"] = lambda q, h, s=station: json_answer(s)

    def page_of(query: dict[str, list[str]], hits: int) -> Answer:
        if "start" not in query or "end" not in query:
            return 302, {"Location": "/open_api/measurements?start=last-week"}, b""
        start, end = (query[k][0] + "+00:00" for k in ("start", "end"))
        station, formula = query["station_number"][0], query["formula"][0]
        chosen = sorted(
            (m for m in measurements if m[0] == station and m[1] == formula and start <= m[2] <= end),
            key=lambda m: m[2],
        )
        page = int(query.get("page", ["1"])[0])
        if broken is not None:
            answer = broken(page, hits)
            if answer is not None:
                return answer
        last = max(1, -(-len(chosen) // page_size))
        items = chosen[(page - 1) * page_size : page * page_size]
        return json_answer(
            {
                "pagination": {
                    "first_page": 1,
                    "prev_page": max(1, page - 1),
                    "current_page": page,
                    "next_page": min(last, page + 1),
                    "last_page": last,
                    "page_list": list(range(1, last + 1)),
                },
                "data": [
                    {"station_number": s, "formula": f, "value": v, "timestamp_measured": t} for s, f, t, v in items
                ],
            }
        )

    server.routes["/open_api/measurements"] = page_of


def sensorthings_routes(
    server: FakeServer,
    things: list[dict],
    *,
    page_size: int = 2,
    broken: Callable[[str, int], Answer | None] | None = None,
) -> None:
    """Answer ``/v1.0/Things``, their Datastreams, Locations, HistoricalLocations and Observations.

    Each thing: ``id``, ``name``, ``codegemeente``, ``location`` (lon, lat), optional ``history``
    [(time, lon, lat)], and ``datastreams``: [(id, quantity token, unit symbol, [(time, result)])].
    Collections are paged ``page_size`` at a time with ``@iot.nextLink`` (``$top``/``$skip``);
    Observations honour ``$filter=phenomenonTime ge A and phenomenonTime lt B``.
    ``broken(path, hits)`` may return another answer for a path.
    """
    root = "/v1.0"

    def collection(path: str, items: list[dict], query: dict[str, list[str]]) -> Answer:
        skip = int(query.get("$skip", ["0"])[0])
        top = min(int(query.get("$top", [str(page_size)])[0]), page_size)
        document: dict = {"value": items[skip : skip + top]}
        if skip + top < len(items):
            kept = {k: v[0] for k, v in query.items() if k not in ("$skip", "$top")}
            rest = "".join(f"&{k}={quote(v, safe='')}" for k, v in kept.items())
            document["@iot.nextLink"] = f"{server.base_url}{path}?$top={top}&$skip={skip + top}{rest}"
        return json_answer(document)

    def routed(path: str, answer: Callable[[dict[str, list[str]]], Answer]) -> None:
        def route(query: dict[str, list[str]], hits: int) -> Answer:
            if broken is not None:
                replaced = broken(path, hits)
                if replaced is not None:
                    return replaced
            return answer(query)

        server.routes[path] = route

    def things_page(query: dict[str, list[str]]) -> Answer:
        wanted = re.fullmatch(r"properties/codegemeente eq '(\d+)'", query.get("$filter", [""])[0])
        chosen = [t for t in things if wanted and t["codegemeente"] == wanted.group(1)]
        return collection(f"{root}/Things", [_thing(server.base_url, t) for t in chosen], query)

    routed(f"{root}/Things", things_page)
    for thing in things:
        base = f"{root}/Things({thing['id']})"
        point = {"type": "Point", "coordinates": list(thing["location"])}
        locations = [
            {"@iot.id": thing["id"], "name": thing["name"], "encodingType": "application/geo+json", "location": point}
        ]
        routed(f"{base}/Locations", lambda q, p=f"{base}/Locations", v=locations: collection(p, v, q))
        history = [
            {"@iot.id": i, "time": t, "Locations": [{"location": {"type": "Point", "coordinates": [lon, lat]}}]}
            for i, (t, lon, lat) in enumerate(thing.get("history", []))
        ]
        routed(f"{base}/HistoricalLocations", lambda q, p=f"{base}/HistoricalLocations", v=history: collection(p, v, q))
        streams = [
            {
                "@iot.id": sid,
                "name": f"{thing['name']}-{i}-{token}",
                "description": f"{thing['name']}-{i}-{token}",
                "unitOfMeasurement": {"symbol": unit},
                "Observations@iot.navigationLink": f"{server.base_url}{root}/Datastreams({sid})/Observations",
            }
            for i, (sid, token, unit, _) in enumerate(thing["datastreams"])
        ]
        routed(f"{base}/Datastreams", lambda q, p=f"{base}/Datastreams", v=streams: collection(p, v, q))
        for sid, _, _, observations in thing["datastreams"]:
            path = f"{root}/Datastreams({sid})/Observations"
            routed(path, lambda q, p=path, o=observations: collection(p, _observations(o, q), q))


def _thing(base_url: str, thing: dict) -> dict:
    link = f"{base_url}/v1.0/Things({thing['id']})"
    return {
        "@iot.id": thing["id"],
        "@iot.selfLink": link,
        "name": thing["name"],
        "description": thing["name"],
        "properties": {"codegemeente": thing["codegemeente"], "owner": "Samen Meten", "project": "Samen Meten"},
        "Locations@iot.navigationLink": f"{link}/Locations",
        "Datastreams@iot.navigationLink": f"{link}/Datastreams",
        "HistoricalLocations@iot.navigationLink": f"{link}/HistoricalLocations",
    }


def _observations(observations: list[tuple[str, object]], query: dict[str, list[str]]) -> list[dict]:
    window = re.fullmatch(r"phenomenonTime ge (\S+) and phenomenonTime lt (\S+)", query.get("$filter", [""])[0])

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text)

    chosen = [
        (t, r)
        for t, r in observations
        if window is None or moment(window.group(1)) <= moment(t) < moment(window.group(2))
    ]
    return [
        {"@iot.id": i, "phenomenonTime": t, "result": r, "resultTime": None} for i, (t, r) in enumerate(sorted(chosen))
    ]


# --- PDOK's wijk- en buurtkaart WFS, OGC API Features with a bbox, CBS StatLine OData v3 ---------------------------

RD_NEW_URN = "urn:ogc:def:crs:EPSG::28992"
FES_EQUAL = re.compile(
    r'PropertyIsEqualTo(?: matchCase="(?P<case>true|false)")?>\s*<(?:fes:)?ValueReference>(?P<prop>[^<]+)'
    r"</(?:fes:)?ValueReference>\s*<(?:fes:)?Literal>(?P<value>[^<]*)</(?:fes:)?Literal>"
)


def wfs_exception(text: str, status: int = 400) -> Answer:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" '
        f'version="2.0.0"><ows:Exception exceptionCode="InvalidParameterValue"><ows:ExceptionText>{text}'
        "</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
    )
    return status, {"Content-Type": "text/xml"}, body.encode()


def kaart_wfs_routes(server: FakeServer, jaar: int, layers: dict[str, list[dict]]) -> None:
    """Answer ``/cbs/wijkenbuurten/{jaar}/wfs/v1_0`` like PDOK's WFS 2.0 GetFeature with GeoJSON output.

    ``layers``: type name without prefix (``buurten``, ``wijken``, ``gemeenten``) -> GeoJSON features in EPSG:28992.
    A FES 2.0 ``PropertyIsEqualTo`` filter (``matchCase``) is honoured, ``count``/``startIndex`` page, and the
    answer carries ``numberMatched``, ``numberReturned`` and the ``crs`` member MapServer writes; an unknown type
    name or property is an OWS exception report.
    """

    def get_feature(query: dict[str, list[str]], _hits: int) -> Answer:
        first = {k.lower(): v[0] for k, v in query.items()}
        if first.get("request", "").lower() != "getfeature" or first.get("service", "").upper() != "WFS":
            return wfs_exception("only GetFeature here")
        type_name = first.get("typenames", first.get("typename", "")).removeprefix("wijkenbuurten:")
        if type_name not in layers:
            return wfs_exception(f"unknown type name {type_name}")
        features = layers[type_name]
        if "filter" in first:
            match = FES_EQUAL.search(first["filter"])
            if match is None:
                return wfs_exception("unreadable FILTER")
            prop, value = match["prop"], match["value"]
            if features and prop not in features[0]["properties"]:
                return wfs_exception(f"unknown property {prop}")
            same = (
                (lambda a: str(a) == value) if match["case"] != "false" else (lambda a: str(a).lower() == value.lower())
            )
            features = [f for f in features if same(f["properties"].get(prop))]
        start, count = int(first.get("startindex", 0)), int(first.get("count", 1000))
        page = features[start : start + min(count, 1000)]  # the service's own maximum per request
        return json_answer(
            {
                "type": "FeatureCollection",
                "name": type_name,
                "crs": {"type": "name", "properties": {"name": RD_NEW_URN}},
                "numberMatched": len(features),
                "numberReturned": len(page),
                "features": page,
            },
            headers={"Content-Type": "application/json; subtype=geojson"},
        )

    server.routes[f"/cbs/wijkenbuurten/{jaar}/wfs/v1_0"] = get_feature


def ogc_features_routes(server: FakeServer, path: str, features: list[dict], *, page_size: int = 1000) -> None:
    """Answer ``{path}`` (a collection's items) like PDOK's OGC API Features: bbox, limit, cursor and ``next``.

    ``features`` are GeoJSON features in EPSG:28992; a ``bbox`` (with ``bbox-crs`` RD New) keeps those whose
    bounding box meets it. Pages hold ``min(limit, page_size)`` features with ``numberMatched`` and
    ``numberReturned``, and a ``next`` link that carries every parameter and a cursor.
    """

    def bounds(feature: dict) -> tuple[float, float, float, float]:
        xs, ys = [], []

        def walk(c: object) -> None:
            if isinstance(c, list | tuple) and c and isinstance(c[0], int | float):
                xs.append(float(c[0]))
                ys.append(float(c[1]))
            elif isinstance(c, list | tuple):
                for item in c:
                    walk(item)

        walk(feature["geometry"]["coordinates"])
        return min(xs), min(ys), max(xs), max(ys)

    def items(query: dict[str, list[str]], _hits: int) -> Answer:
        first = {k: v[0] for k, v in query.items()}
        if "28992" not in first.get("crs", "") or ("bbox" in first and "28992" not in first.get("bbox-crs", "")):
            return json_answer({"code": "InvalidParameterValue", "description": "expected RD New"}, status=400)
        chosen = features
        if "bbox" in first:
            x0, y0, x1, y1 = (float(v) for v in first["bbox"].split(","))
            chosen = [f for f in features if (b := bounds(f))[0] <= x1 and b[2] >= x0 and b[1] <= y1 and b[3] >= y0]
        limit = min(int(first.get("limit", 10)), page_size)
        start = int(first.get("cursor", "0"))
        page = chosen[start : start + limit]
        links = [{"rel": "self", "type": "application/geo+json", "href": f"{server.base_url}{path}"}]
        if start + limit < len(chosen):
            kept = {k: v for k, v in first.items() if k != "cursor"}
            rest = "&".join(f"{k}={quote(v, safe=',:/')}" for k, v in kept.items())
            links.append(
                {
                    "rel": "next",
                    "type": "application/geo+json",
                    "href": f"{server.base_url}{path}?{rest}&cursor={start + limit}",
                }
            )
        document = {
            "type": "FeatureCollection",
            "timeStamp": "2026-12-06T10:00:00Z",
            "links": links,
            "numberMatched": len(chosen),
            "numberReturned": len(page),
            "features": page,
        }
        return json_answer(document, headers={"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/28992>"})

    server.routes[path] = items


def cbs_odata_routes(server: FakeServer, table: str, rows: list[dict], *, page_size: int = 2) -> None:
    """Answer ``/ODataApi/odata/{table}/TypedDataSet`` like CBS StatLine OData v3.

    ``$filter`` of ``startswith(WijkenEnBuurten,'..')`` terms joined by ``or`` is honoured; a query matching more
    than 10,000 rows is refused with HTTP 500 as CBS does; pages of ``page_size`` rows link on with
    ``odata.nextLink`` (``$skip``).
    """
    path = f"/ODataApi/odata/{table}/TypedDataSet"

    def data_set(query: dict[str, list[str]], _hits: int) -> Answer:
        first = {k: v[0] for k, v in query.items()}
        prefixes = re.findall(r"startswith\(WijkenEnBuurten,'([^']+)'\)", first.get("$filter", ""))
        chosen = [r for r in rows if not prefixes or any(str(r["WijkenEnBuurten"]).startswith(p) for p in prefixes)]
        if len(chosen) > 10_000:
            error = {
                "odata.error": {
                    "code": "",
                    "message": {
                        "lang": "en-US",
                        "value": "Query returns more than 10000 records. Please, add filter to reduce the resultset.",
                    },
                }
            }
            return json_answer(error, status=500)
        skip = int(first.get("$skip", "0"))
        document: dict = {
            "odata.metadata": f"{server.base_url}/ODataApi/odata/{table}/$metadata#Cbs.OData.WebAPI.TypedDataSet",
            "value": chosen[skip : skip + page_size],
        }
        if skip + page_size < len(chosen):
            kept = "".join(f"&{k}={quote(v, safe='')}" for k, v in first.items() if k != "$skip")
            document["odata.nextLink"] = f"{server.base_url}{path}?$skip={skip + page_size}{kept}"
        return json_answer(document)

    server.routes[path] = data_set
