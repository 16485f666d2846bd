from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0006_alter_shopcredential_provider'),
    ]

    operations = [
        migrations.AlterField(
            model_name='shopcredential',
            name='provider',
            field=models.CharField(choices=[('alipay', 'Alipay'), ('wechat', 'WeChat Pay'), ('aliyun_sms', 'Aliyun SMS'), ('zhima', 'Zhima credit (Alipay)'), ('email', 'Email provider'), ('miniprogram', 'WeChat mini-program')], max_length=16, verbose_name='provider'),
        ),
    ]
