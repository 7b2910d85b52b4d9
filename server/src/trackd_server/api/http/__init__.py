"""HTTP/JSON transcoding of the gRPC API, driven by the protos' `google.api.http` options.

`serve(servicers, host, port)` is the entry point; see docs/http-api.md for the wire rules.
"""

from trackd_server.api.http.listener import HttpServerHandle, serve
from trackd_server.api.http.transcoder import HttpRequest, HttpResponse, Transcoder

__all__ = ["HttpRequest", "HttpResponse", "HttpServerHandle", "Transcoder", "serve"]
