def test_shop_home_answers_on_its_domain(shop_client, shop):
    response = shop_client.get("/")
    assert response.status_code == 200
    assert shop.name in response.content.decode()
