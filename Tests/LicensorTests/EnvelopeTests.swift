import FoundationEssentials
import Licensor
import Testing

@Suite("Request envelopes")
struct EnvelopeTests {
    static let form = "sale_id=S1&email=a%40b.c"

    /// Shaped like the REST API proxy example in AWS's documentation (payload format 1.0).
    static let apiGatewayV1 = """
        {"resource":"/{proxy+}","path":"/webhooks/gumroad","httpMethod":"POST",
         "headers":{"Content-Type":"application/x-www-form-urlencoded","Host":"abc.execute-api.us-east-1.amazonaws.com"},
         "multiValueHeaders":{"Content-Type":["application/x-www-form-urlencoded"],"X-Forwarded-For":["1.2.3.4","5.6.7.8"]},
         "queryStringParameters":{"secret":"s2"},
         "multiValueQueryStringParameters":{"secret":["s1","s2"]},
         "pathParameters":{"proxy":"webhooks/gumroad"},"stageVariables":null,
         "requestContext":{"accountId":"123456789012","resourceId":"123456","stage":"prod","requestId":"c6af9ac6",
           "identity":{"sourceIp":"1.2.3.4","userAgent":"HTTParty"},"resourcePath":"/{proxy+}","httpMethod":"POST",
           "apiId":"1234567890"},
         "body":"\(form)","isBase64Encoded":false}
        """

    /// Shaped like the HTTP API / Function URL payload format 2.0 example.
    static let apiGatewayV2 = """
        {"version":"2.0","routeKey":"$default","rawPath":"/webhooks/gumroad","rawQueryString":"secret=s%2B1&x=1&x=2",
         "cookies":["c1=v1","c2=v2"],
         "headers":{"content-type":"application/x-www-form-urlencoded","header2":"value1,value2"},
         "queryStringParameters":{"secret":"s+1","x":"1,2"},
         "requestContext":{"accountId":"123456789012","apiId":"api-id","domainName":"id.lambda-url.us-east-1.on.aws",
           "http":{"method":"POST","path":"/webhooks/gumroad","protocol":"HTTP/1.1","sourceIp":"1.2.3.4",
             "userAgent":"HTTParty"},"requestId":"id","routeKey":"$default","stage":"$default",
             "time":"12/Mar/2020:19:03:58 +0000","timeEpoch":1583348638390},
         "body":"\(Data(form.utf8).base64EncodedString())","pathParameters":null,"isBase64Encoded":true,
         "stageVariables":null}
        """

    @Test("canonical JSON with a raw query string")
    func canonical() throws {
        let text =
            #"{"method":"post","path":"/webhooks/gumroad","query":"secret=a%20b&x=1&x=2","headers":{"CONTENT-TYPE":"text/plain"},"body":"hi"}"#
        let (request, format) = try JSONEnvelope.decode(Array(text.utf8))
        #expect(format == .json)
        #expect(request.method == "POST")
        #expect(request.queryValue("secret") == "a b")
        #expect(request.queryValues("x") == ["1", "2"])
        #expect(request.headers["content-type"] == "text/plain")
        #expect(request.body == Array("hi".utf8))
    }

    @Test("canonical JSON with a query object and a base64 body")
    func canonicalObjectQuery() throws {
        let text =
            #"{"method":"POST","path":"/p","query":{"secret":"s","multi":["a","b"]},"body":"aGk=","isBase64Encoded":true}"#
        let (request, _) = try JSONEnvelope.decode(Array(text.utf8))
        #expect(request.queryValue("secret") == "s")
        #expect(request.queryValues("multi") == ["a", "b"])
        #expect(request.body == Array("hi".utf8))
    }

    @Test("API Gateway 1.0: multi-value maps win, header names match case-insensitively")
    func apiGatewayV1Event() throws {
        let (request, format) = try JSONEnvelope.decode(Array(Self.apiGatewayV1.utf8))
        #expect(format == .apigw1)
        #expect(request.method == "POST")
        #expect(request.path == "/webhooks/gumroad")
        #expect(request.queryValues("secret") == ["s1", "s2"])
        #expect(request.headers.values(for: "x-forwarded-for") == ["1.2.3.4", "5.6.7.8"])
        #expect(String(decoding: request.body, as: UTF8.self) == Self.form)
    }

    @Test("HTTP API 2.0 / Function URL: raw query decoded once, base64 body decoded")
    func apiGatewayV2Event() throws {
        let (request, format) = try JSONEnvelope.decode(Array(Self.apiGatewayV2.utf8))
        #expect(format == .apigw2)
        #expect(request.queryValue("secret") == "s+1")
        #expect(request.queryValues("x") == ["1", "2"])
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["cookie"] == "c1=v1; c2=v2")
        #expect(String(decoding: request.body, as: UTF8.self) == Self.form)
    }

    @Test("--format forces an envelope kind")
    func forced() throws {
        let (request, format) = try JSONEnvelope.decode(Array(Self.apiGatewayV1.utf8), format: .apigw1)
        #expect(format == .apigw1)
        #expect(request.method == "POST")
        #expect(throws: EnvelopeError.self) { try JSONEnvelope.decode(Array(Self.apiGatewayV1.utf8), format: .apigw2) }
    }

    @Test(
        "malformed envelopes are 400 with a reason naming the problem",
        arguments: [
            ("not json", "not valid JSON"), ("[1]", "must be a JSON object"),
            (#"{"path":"/"}"#, "\"method\" is missing"),
            (#"{"method":1,"path":"/"}"#, "\"method\" must be a string"),
            (#"{"method":"GET","path":"/","headers":[]}"#, "\"headers\" must be an object"),
            (#"{"method":"GET","path":"/","headers":{"a":1}}"#, "\"headers.a\" must be a string"),
            (#"{"method":"GET","path":"/","body":"!!","isBase64Encoded":true}"#, "not valid base64"),
            (#"{"method":"GET","path":"/","isBase64Encoded":"yes"}"#, "\"isBase64Encoded\" must be a boolean"),
            (#"{"method":"GET","path":"/","query":"a=%zz"}"#, "percent-encoding"),
            (#"{"version":"2.0","requestContext":{"http":{}}}"#, "requestContext.http.method"),
        ])
    func malformed(text: String, reason: String) {
        #expect {
            try JSONEnvelope.decode(Array(text.utf8))
        } throws: { error in
            guard let error = error as? EnvelopeError else { return false }
            return error.status == 400 && error.reason.contains(reason)
        }
    }

    @Test("a body over 1 MiB is 413")
    func tooLarge() {
        let body = String(repeating: "a", count: RequestLimits.maximumBody + 1)
        let text = #"{"method":"POST","path":"/","body":""# + body + #""}"#
        #expect {
            try JSONEnvelope.decode(Array(text.utf8))
        } throws: { error in
            (error as? EnvelopeError)?.status == 413
        }
    }

    @Test("responses encode as statusCode/headers/body/isBase64Encoded")
    func responseShape() throws {
        let encoded = JSONEnvelope.encode(.json(200, .object([("ok", .bool(true))])))
        let document = try JSONParser.parse(encoded)
        #expect(document["statusCode"] == .number("200"))
        #expect(document["headers"]?["Content-Type"] == .string("application/json"))
        #expect(document["body"] == .string(#"{"ok":true}"#))
        #expect(document["isBase64Encoded"] == .bool(false))
    }
}
