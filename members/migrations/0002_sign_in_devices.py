# The sign-in devices (proxies of django-otp's models), apart from 0001: django-otp's own
# migrations need the user model, so they run between the two.

import members.models.security
from django.db import migrations


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('members', '0001_initial'),
        ('otp_static', '0003_add_timestamps'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecoveryCodes',
            fields=[
            ],
            options={
                'verbose_name': 'recovery codes',
                'verbose_name_plural': 'recovery codes',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=(members.models.security.OneFreeRetry, 'otp_static.staticdevice'),
        ),
        migrations.CreateModel(
            name='TotpDevice',
            fields=[
            ],
            options={
                'verbose_name': 'authenticator app',
                'verbose_name_plural': 'authenticator apps',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=(members.models.security.OneFreeRetry, 'otp_totp.totpdevice'),
        ),
    ]
