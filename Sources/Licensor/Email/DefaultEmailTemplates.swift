extension LicenseEmailTemplates {
    /// The templates shipped in `config/email.txt` and `config/email.html`, built in so the binary works where
    /// those files are not deployed (a test keeps the two copies identical).
    package static let defaults = LicenseEmailTemplates(
        subject: "Your {{product}} license",
        text: """
            Hi {{name}},

            Thank you for buying {{product}}. Here is your license.

            License key: {{license_key}}
            Tier:        {{tier}}
            Expires:     {{expires}}

            To activate, open {{product}}, choose "Enter License…" and paste the license key
            above. If the app asks for a license file or token instead, paste this:

            {{token}}

            Keep this email: the key and token are all you need to reinstall. If anything
            goes wrong, just reply to this message.

            Order: {{order_id}} · issued {{issued}}

            """,
        html: """
            <!DOCTYPE html>
            <html>
            <body style="font-family: -apple-system, Helvetica, Arial, sans-serif; line-height: 1.5; color: #222;">
            <p>Hi {{name}},</p>
            <p>Thank you for buying <strong>{{product}}</strong>. Here is your license.</p>
            <table style="border-collapse: collapse;">
            <tr><td style="padding-right: 1em;">License key</td><td><code style="font-size: 1.2em;">{{license_key}}</code></td></tr>
            <tr><td style="padding-right: 1em;">Tier</td><td>{{tier}}</td></tr>
            <tr><td style="padding-right: 1em;">Expires</td><td>{{expires}}</td></tr>
            </table>
            <p>To activate, open {{product}}, choose <em>Enter License…</em> and paste the license key above.
            If the app asks for a license file or token instead, paste this:</p>
            <pre style="white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: 0.75em;">{{token}}</pre>
            <p>Keep this email: the key and token are all you need to reinstall. If anything goes wrong, just reply to this
            message.</p>
            <p style="color: #777; font-size: 0.9em;">Order {{order_id}} · issued {{issued}}</p>
            </body>
            </html>

            """
    )

    /// The templates shipped in `config/recovery.txt` and `config/recovery.html` (the same test keeps them equal).
    package static let recoveryDefaults = LicenseEmailTemplates(
        subject: "Your licenses",
        text: """
            Here are the licenses bought with {{email}}:

            {{licenses}}

            If you did not ask for this email, you can ignore it.

            """,
        html: """
            <!DOCTYPE html>
            <html>
            <body style="font-family: -apple-system, Helvetica, Arial, sans-serif; line-height: 1.5; color: #222;">
            <p>Here are the licenses bought with {{email}}:</p>
            {{licenses}}
            <p>If you did not ask for this email, you can ignore it.</p>
            </body>
            </html>

            """
    )
}
